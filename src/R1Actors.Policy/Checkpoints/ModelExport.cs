using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Policy.Checkpoints;

/// <summary>What <see cref="ModelExport.Write"/> wrote.</summary>
/// <param name="Merged">True when an adapter was folded into the base weights.</param>
/// <param name="Files">The files of the output folder.</param>
public sealed record ExportResult(bool Merged, IReadOnlyList<string> Files);

/// <summary>
/// <c>r1actors export</c>: a checkpoint (or any model or adapter folder) out as a folder other tools load, with
/// its tokenizer. A full model is written as a Hugging Face folder. An adapter is written either merged — the
/// base with W + (α / r)·B A in every adapted projection, computed in float32 and stored in the base's dtype, a
/// plain Hugging Face folder — or as it is, in PEFT's layout without the optimizer and trainer state. The
/// tokenizer files come from the checkpoint (which carries the base's), else from the base folder.
/// </summary>
public static class ModelExport
{
    /// <param name="source">A checkpoint, a model folder or an adapter folder.</param>
    /// <param name="baseFolder">The base of an adapter; null takes its <c>base_model_name_or_path</c>.</param>
    /// <param name="merge">Fold an adapter into the base (ignored for a full model).</param>
    /// <param name="output">The folder to write (its weight files are replaced).</param>
    public static ExportResult Write(string source, string? baseFolder, bool merge, string output)
    {
        var isAdapter = AdapterFolder.IsAdapter(source);
        if (!isAdapter && !File.Exists(Path.Combine(source, ModelFolder.ConfigFile)))
            throw new ModelFormatException($"{source}: neither config.json (a model) nor {AdapterFolder.ConfigFile} (a LoRA adapter) is there");
        var tokenizerSource = ModelFolder.CompanionFiles(source).Count > 0 || !isAdapter
            ? source
            : baseFolder ?? AdapterFolder.ReadConfig(source).BaseModel;
        Directory.CreateDirectory(output);
        using (var model = isAdapter ? AdapterFolder.LoadWithBase(source, baseFolder, CPU) : ModelFolder.Load(source, CPU))
        {
            if (isAdapter && merge)
                model.MergeAdapter();
            model.SaveWeights(output);
        }
        foreach (var file in ModelFolder.CompanionFiles(tokenizerSource))
            File.Copy(file, Path.Combine(output, Path.GetFileName(file)), overwrite: true);
        return new ExportResult(isAdapter && merge, [.. Directory.GetFiles(output).Select(Path.GetFileName).Order()!]);
    }
}
