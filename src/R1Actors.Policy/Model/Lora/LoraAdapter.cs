using TorchSharp.Modules;
using static TorchSharp.torch;

namespace R1Actors.Policy.Model.Lora;

/// <summary>
/// The LoRA adapter of one <see cref="CausalLanguageModel"/>: a <see cref="LoraBranch"/> beside every targeted
/// projection of every layer, with the base weights frozen (requires_grad off, so only the adapter reaches an
/// optimizer). Its tensors are named as PEFT names them inside the model, <c>model.layers.0.self_attn.q_proj.lora_A.weight</c>
/// (A (r, in), B (out, r)); the saved file adds PEFT's <c>base_model.model.</c> prefix (<see cref="Checkpoints.AdapterFolder"/>).
/// The adapter is one object, not parameters registered in the model, so that the model's own names stay Hugging
/// Face's and a snapshot of "the adapter" is just these tensors. Dispose it with the model (the model does).
/// </summary>
public sealed class LoraAdapter : IDisposable
{
    private readonly List<(string Path, Projection Target, LoraBranch Branch)> _branches;

    private LoraAdapter(LoraSettings settings, string baseModel, List<(string, Projection, LoraBranch)> branches)
    {
        Settings = settings;
        BaseModel = baseModel;
        _branches = branches;
    }

    public LoraSettings Settings { get; }

    /// <summary>The base it sits on, as <c>adapter_config.json</c> records it (<c>base_model_name_or_path</c>).</summary>
    public string BaseModel { get; }

    /// <summary>The adapted projections' paths (<c>model.layers.0.self_attn.q_proj</c>, …), in model order.</summary>
    public IReadOnlyList<string> Paths => [.. _branches.Select(b => b.Path)];

    /// <summary>Whether the branches add their update; off, the model computes the base exactly.</summary>
    public bool Enabled
    {
        get => _branches.Count == 0 || _branches[0].Branch.Enabled;
        set
        {
            foreach (var (_, _, branch) in _branches)
                branch.Enabled = value;
        }
    }

    /// <summary>lora_A and lora_B of every branch by their in-model PEFT name, A before B.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters()
    {
        foreach (var (path, _, branch) in _branches)
        {
            yield return ($"{path}.lora_A.weight", branch.A);
            yield return ($"{path}.lora_B.weight", branch.B);
        }
    }

    /// <summary>The adapter's size in bytes (what publishing a version moves).</summary>
    public long ByteSize => NamedParameters().Sum(p => Checkpoints.SafetensorsWriter.ByteSize(p.Parameter));

    /// <summary>Switches the adapter off until the returned handle is disposed: the model is then its base.</summary>
    public IDisposable Disable()
    {
        var was = Enabled;
        Enabled = false;
        return new Restore(this, was);
    }

    /// <summary>
    /// Puts a fresh adapter on every projection of <paramref name="model"/> named in the settings' targets and
    /// freezes the base. A starts kaiming-uniform from <see cref="LoraSettings.InitSeed"/>, B at zero.
    /// </summary>
    /// <exception cref="SettingsException">Rank ≤ 0, a bad dropout, or a target module the model does not have.</exception>
    internal static LoraAdapter Attach(CausalLanguageModel model, LoraSettings settings, string baseModel)
    {
        if (settings.Problem() is { } problem)
            throw new SettingsException("r1.training.lora." + problem.Key, problem.Problem);
        var targets = model.named_modules()
            .Where(m => m.module is Projection && settings.TargetModules.Contains(m.name[(m.name.LastIndexOf('.') + 1)..], StringComparer.Ordinal)
                && m.name.StartsWith("model.layers.", StringComparison.Ordinal))
            .Select(m => (m.name, (Projection)m.module))
            .ToList();
        var missing = settings.TargetModules.Where(t => !targets.Any(m => m.name.EndsWith("." + t, StringComparison.Ordinal))).ToArray();
        if (missing.Length > 0)
            throw new SettingsException("r1.training.lora.target-modules", $"the model has no module named {string.Join(", ", missing)}");
        using var generator = new Generator((ulong)settings.InitSeed, model.Device);
        var branches = new List<(string, Projection, LoraBranch)>();
        foreach (var (path, projection) in targets)
        {
            var branch = new LoraBranch(projection.InFeatures, projection.OutFeatures, settings, model.Dtype, model.Device);
            branch.Initialise(generator);
            projection.Lora = branch;
            branches.Add((path, projection, branch));
        }
        foreach (var parameter in model.parameters())
            parameter.requires_grad = false;
        return new LoraAdapter(settings, baseModel, branches);
    }

    /// <summary>W ← W + (α / r) · B A on every adapted projection (in float32, rounded to W's dtype), then detaches the branches.</summary>
    internal void MergeIntoBase()
    {
        using var noGrad = no_grad();
        foreach (var (_, target, branch) in _branches)
        {
            using var scope = NewDisposeScope();
            var update = branch.Update();                                                   // (out, in)
            var merged = target.Weight.to_type(update.dtype, copy: true).add_(update);
            target.Weight.copy_(merged);
            target.Lora = null;
        }
    }

    public void Dispose()
    {
        foreach (var (_, target, branch) in _branches)
        {
            if (ReferenceEquals(target.Lora, branch))
                target.Lora = null;
            branch.Dispose();
        }
        _branches.Clear();
    }

    private sealed class Restore(LoraAdapter adapter, bool enabled) : IDisposable
    {
        public void Dispose() => adapter.Enabled = enabled;
    }
}
