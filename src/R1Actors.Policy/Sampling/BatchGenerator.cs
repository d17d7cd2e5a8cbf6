using System.Text;
using R1Actors.Policy.Model;
using R1Actors.Policy.Tokenization;
using static TorchSharp.torch;

namespace R1Actors.Policy.Sampling;

/// <summary>
/// Batched generation for B prompts × G samples. Choices:
/// <list type="bullet">
/// <item>Prompts are left-padded and read once per prompt; the cache is then fanned out to the G samples.</item>
/// <item>Each row draws from its own seeded stream of uniforms (inverse-CDF sampling on the device), so a
/// row's completion does not depend on which rows share its batch: padded batches equal rows run alone.</item>
/// <item>Sampled tokens stay on the device between steps; the host looks at them every
/// <see cref="SamplingOptions.FinishCheckInterval"/> steps (one copy of R×3 floats) to apply stop tokens and
/// stop strings, stop when every row is done, and drop finished rows from the batch.</item>
/// <item>A call whose decode steps are small runs on one libtorch thread (<see cref="ForwardThreads"/>).</item>
/// </list>
/// Runs under inference mode: nothing here builds an autograd graph.
/// </summary>
public sealed class BatchGenerator(CausalLanguageModel model, ITokenizer? tokenizer = null)
{
    public GenerationResult Generate(GenerationRequest request, SamplingOptions options)
    {
        options.Validated();
        Validate(request, options);
        using var inference = inference_mode();
        using var threads = ForwardThreads.ForDecodeStep(model.Config, request.Seeds.Count);
        using var prompts = TokenBatch.LeftPadded(request.Prompts, tokenizer?.PadTokenId ?? 0, model.Device);
        var rows = Enumerable.Range(0, request.Prompts.Count * request.SamplesPerPrompt)
            .Select(r => new RowProgress(r / request.SamplesPerPrompt, r % request.SamplesPerPrompt, options,
                tokenizer is null ? null : tokenizer.TokenBytes, request.TokenLimits?[r]))
            .ToArray();
        var stopStrings = options.StopStrings.Select(Encoding.UTF8.GetBytes).ToArray();
        using IStepDecoder decoder = options.UseKvCache
            ? new CachedStepDecoder(model, options.MaxNewTokens, options.DecodeAttention)
            : new RecomputingStepDecoder(model);
        var chooser = TokenChoosers.For(options);
        var batch = new ActiveRows(rows.Length, Uniforms(request.Seeds, options.MaxNewTokens, model.Device));
        try
        {
            batch.SetLogits(decoder.Prefill(prompts.Ids, prompts.Mask, request.SamplesPerPrompt));
            var steps = 0;
            for (var step = 0; step < options.MaxNewTokens; step++)
            {
                steps++;
                batch.Sample(chooser, step);
                var lastStep = step == options.MaxNewTokens - 1;
                if ((step + 1) % options.FinishCheckInterval == 0 || lastStep)
                {
                    if (!batch.Settle(rows, stopStrings) || lastStep)
                        break;
                    batch.CompactIfWorthIt(rows, decoder, options.CompactBelowFraction);
                }
                batch.SetLogits(decoder.Next(batch.LastTokens));
            }
            return new GenerationResult([.. rows.Select(r => r.ToSequence())], prompts.Mask.sum().item<long>(), steps);
        }
        finally
        {
            batch.Dispose();
        }
    }

    private void Validate(GenerationRequest request, SamplingOptions options)
    {
        if (request.Prompts.Count == 0 || request.SamplesPerPrompt < 1)
            throw new ArgumentException("a generation request needs at least one prompt and one sample per prompt");
        if (request.Seeds.Count != request.Prompts.Count * request.SamplesPerPrompt)
            throw new ArgumentException(
                $"{request.Seeds.Count} seeds for {request.Prompts.Count} prompts × {request.SamplesPerPrompt} samples");
        if (request.Prompts.Select(p => PromptChecks.Problem(p, model.Config.VocabSize)).FirstOrDefault(p => p is not null) is { } problem)
            throw new ArgumentException(problem);
        if (request.TokenLimits is { } limits && (limits.Count != request.Seeds.Count || limits.Any(l => l < 1 || l > options.MaxNewTokens)))
            throw new ArgumentException($"token limits: one per row, each in 1..{options.MaxNewTokens} (max-new-tokens)");
        if (options.StopStrings.Count > 0 && tokenizer is null)
            throw new ArgumentException("stop strings need the generator to be given the tokenizer");
    }

    /// <summary>(rows, steps) float32 uniforms, row r from its own seeded stream.</summary>
    private static Tensor Uniforms(IReadOnlyList<ulong> seeds, int steps, Device device)
    {
        var values = new float[seeds.Count * steps];
        for (var r = 0; r < seeds.Count; r++)
            SampleSeed.FillUniforms(seeds[r], values.AsSpan(r * steps, steps));
        return tensor(values, [seeds.Count, steps]).to(device).DetachFromDisposeScope();
    }
}
