namespace R1Actors.Rewards.MathAnswers;

/// <summary>
/// Matrix arithmetic written out as the answer (<c>A + B</c>, <c>A B</c>, <c>2A</c>) is the matrix it gives,
/// cell by cell, so that it compares with a written matrix. Cells stay expressions; the comparison of cells
/// does the arithmetic. Shapes must agree, else it is no matrix at all.
/// </summary>
internal sealed partial class ExprComparer
{
    /// <summary>The matrix an expression of matrices stands for, or null when it is not one.</summary>
    /// <example><c>[[1,2],[3,4]] + [[5,6],[7,8]]</c> → <c>[[1+5, 2+6], [3+7, 4+8]]</c>.</example>
    private MatrixExpr? MatrixValue(Expr e)
    {
        budget.Tick();
        if (e is MatrixExpr m) return m;
        if (e is not BinaryExpr { Op: BinaryOp.Add or BinaryOp.Subtract or BinaryOp.Multiply } b) return null;
        var left = MatrixValue(b.Left);
        var right = MatrixValue(b.Right);
        if (b.Op == BinaryOp.Multiply)
        {
            if (left is not null && right is not null) return Product(left, right);
            if (left is not null && IsBound(b.Right)) return Cellwise(left, cell => new BinaryExpr(BinaryOp.Multiply, b.Right, cell));
            return right is not null && IsBound(b.Left) ? Cellwise(right, cell => new BinaryExpr(BinaryOp.Multiply, b.Left, cell)) : null;
        }
        if (left is null || right is null || !SameShape(left, right)) return null;
        return new MatrixExpr(left.Rows.Zip(right.Rows).Select(r => (IReadOnlyList<Expr>)r.First.Zip(r.Second).Select(c => (Expr)new BinaryExpr(b.Op, c.First, c.Second)).ToList()).ToList());
    }

    private static bool SameShape(MatrixExpr x, MatrixExpr y) =>
        x.Rows.Count == y.Rows.Count && x.Rows.Zip(y.Rows).All(r => r.First.Count == r.Second.Count);

    private static MatrixExpr Cellwise(MatrixExpr m, Func<Expr, Expr> cell) =>
        new(m.Rows.Select(r => (IReadOnlyList<Expr>)r.Select(cell).ToList()).ToList());

    /// <summary>The product (rows of x) × (columns of y); null unless x has as many columns as y has rows.</summary>
    private MatrixExpr? Product(MatrixExpr x, MatrixExpr y)
    {
        var inner = y.Rows.Count;
        if (x.Rows.Any(r => r.Count != inner) || y.Rows.Any(r => r.Count != y.Rows[0].Count)) return null;
        var rows = new List<IReadOnlyList<Expr>>();
        foreach (var row in x.Rows)
        {
            var cells = new List<Expr>();
            for (var j = 0; j < y.Rows[0].Count; j++)
            {
                budget.Tick();
                Expr sum = new BinaryExpr(BinaryOp.Multiply, row[0], y.Rows[0][j]);
                for (var k = 1; k < inner; k++) sum = new BinaryExpr(BinaryOp.Add, sum, new BinaryExpr(BinaryOp.Multiply, row[k], y.Rows[k][j]));
                cells.Add(sum);
            }
            rows.Add(cells);
        }
        return new MatrixExpr(rows);
    }
}
