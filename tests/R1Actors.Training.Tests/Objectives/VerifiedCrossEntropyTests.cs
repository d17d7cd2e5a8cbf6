using R1Actors.Training.Learning;
using R1Actors.Training.Loss;
using R1Actors.Training.Objectives;
using R1Actors.Training.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace R1Actors.Training.Tests.Objectives;

/// <summary>Filter-and-SFT (rft, sft): cross-entropy on the verified-correct completions only.</summary>
public class VerifiedCrossEntropyTests
{
    private static LearnerSettings Rft(ILossAggregation? aggregation = null) =>
        Settings.Learner(aggregation: aggregation ?? new SequenceMeanAggregation()) with { Objective = "rft" };

    private static ScoredRollout Scored(int[] ids, bool correct) => Groups.Completion(ids, correct ? 1.0 : 0.0, correct: correct);

    [Fact]
    public void Only_verified_correct_completions_train_and_a_group_with_none_contributes_nothing()
    {
        var preparation = new BatchPreparation(new VerifiedCrossEntropy("rft", new PolicyLossSettings()), new KeepTruncated(), new SequenceMeanAggregation());
        var mixed = Groups.Of([0], [Scored([1, 2], correct: true), Scored([3], correct: false), Scored([2, 2, 4], correct: true)]);
        var none = Groups.Of([0], [Scored([1], correct: false), Scored([4, 4], correct: false)]);

        var prepared = preparation.Prepare(Groups.Batch([mixed, none]), currentVersion: 0);

        Assert.Equal([[1, 2], [2, 2, 4]], prepared.Samples.Select(s => s.CompletionIds.ToArray()));
        Assert.All(prepared.Samples, s => Assert.Equal(1.0, s.Advantage));
        // sequence-mean over the two kept completions: 1 / (2 · n)
        Assert.Equal([1.0 / 4, 1.0 / 6], prepared.Samples.Select(s => s.TokenWeight));
        Assert.Equal(5, prepared.Rollouts.Completions);                        // the wrong ones still count as sampled
    }

    [Fact]
    public void A_correct_completion_scored_as_wrong_by_its_reward_still_trains_and_a_rewarded_wrong_one_does_not()
    {
        // Correctness is the verifier's verdict on the answer (RewardOutcome.Correct), not the weighted score.
        var preparation = new BatchPreparation(new VerifiedCrossEntropy("rft", new PolicyLossSettings()), new KeepTruncated(), new TokenMeanAggregation());
        var group = Groups.Of([0], [Groups.Completion([1], reward: 0.2, correct: true), Groups.Completion([2], reward: 0.9, correct: false)]);

        var prepared = preparation.Prepare(Groups.Batch([group]), currentVersion: 0);

        Assert.Equal([1], Assert.Single(prepared.Samples).CompletionIds);
    }

    [Fact]
    public void Rft_gradient_is_the_cross_entropy_gradient_of_the_correct_completions_alone()
    {
        using var scope = NewDisposeScope();
        using var model = new BigramModel(vocab: 5, seed: 4);
        using var learner = new Learner(model, Rft());
        var withWrongOnes = Groups.Batch([
            Groups.Of([0], [Scored([1, 3], correct: true), Scored([2], correct: false)]),
            Groups.Of([0], [Scored([4], correct: false), Scored([2, 2], correct: false)]),
        ]);
        learner.Backward(withWrongOnes);
        var gradient = model.Table.grad!.detach().clone();
        learner.Optimizer.ZeroGradients();

        // By hand: one kept completion 0→1→3, loss −(log p(1|0) + log p(3|1)) / 2, so ∂/∂table[a] = −(onehot(b) − softmax(table[a])) / 2.
        var p0 = softmax(model.Table[0].detach(), 0).data<double>().ToArray();
        var p1 = softmax(model.Table[1].detach(), 0).data<double>().ToArray();
        Close.Elements(Enumerable.Range(0, 5).Select(j => -((j == 1 ? 1 : 0) - p0[j]) / 2).ToArray(), gradient[0], precision: 6);
        Close.Elements(Enumerable.Range(0, 5).Select(j => -((j == 3 ? 1 : 0) - p1[j]) / 2).ToArray(), gradient[1], precision: 6);
        Close.Elements(new double[5], gradient[2], precision: 12);            // the wrong [2] and [2, 2] push nothing down
        Close.Elements(new double[5], gradient[4], precision: 12);
    }

    [Fact]
    public void A_step_with_no_correct_completion_is_skipped_and_leaves_the_weights_alone()
    {
        using var scope = NewDisposeScope();
        using var model = new BigramModel(vocab: 4, seed: 1);
        using var learner = new Learner(model, Rft());
        var before = model.Table.detach().clone();

        var result = learner.Train(Groups.Batch([Groups.Of([0], [Scored([1], correct: false), Scored([2, 3], correct: false)])]));

        Assert.False(result.Applied);
        Assert.Contains("no verified-correct completion", result.SkipReason);
        Assert.Equal(0, learner.PolicyVersion);
        Assert.True(before.equal(model.Table.detach()).all().item<bool>());
    }

    [Fact]
    public void Cross_entropy_loss_is_the_weighted_negative_log_likelihood_and_reports_the_ratio()
    {
        using var scope = NewDisposeScope();
        var logProbs = tensor(new[] { Math.Log(0.5), Math.Log(0.25) }, [1, 2], ScalarType.Float64).requires_grad_(true);
        var behaviour = tensor(new[] { Math.Log(0.25), Math.Log(0.25) }, [1, 2], ScalarType.Float64);
        var batch = new LossInputs(logProbs, behaviour, ones(1, 1, ScalarType.Float64), full(1, 2, 0.5, ScalarType.Float64),
            ones(1, 2, ScalarType.Float64), null, zeros(1, 2, ScalarType.Float64));

        var (loss, statistics) = new VerifiedCrossEntropy("sft", new PolicyLossSettings()).Compute(batch);
        loss.backward();

        Assert.Equal(-(Math.Log(0.5) + Math.Log(0.25)) / 2, loss.ToDouble(), 12);
        Close.Elements([-0.5, -0.5], logProbs.grad!);
        Assert.Equal(2.0, statistics.Tokens);
        Assert.Equal(2.0 + 1.0, statistics.Ratio, 12);                        // ratios 2 and 1
        Assert.Equal(0.0, statistics.ClippedHigh + statistics.ClippedLow);
    }
}
