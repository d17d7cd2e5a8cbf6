using R1Actors.Pipeline.Contracts;
using R1Actors.Training.Advantages;
using R1Actors.Training.Configuration;

namespace R1Actors.Adapters;

/// <summary>
/// DAPO's dynamic sampling as the pipeline's <see cref="IGroupFilter"/>: the learner's own
/// <see cref="DynamicSamplingBatcher"/> decides, on rewards shaped by the truncation policy exactly as the loss
/// will see them, whether a group carries a signal; groups without one are left out (and replaced by freshly
/// sampled prompts) up to <c>r1.training.algorithm.max-discarded-groups</c> per step. Called on the learner's
/// thread, once per group, in the order the batch fills.
/// </summary>
public sealed class DynamicSamplingFilter(DynamicSamplingBatcher batcher) : IGroupFilter
{
    /// <summary>The filter the settings ask for: this one when dynamic sampling is on, else keep every group.</summary>
    public static IGroupFilter For(TrainingSettings training, int groupsPerStep)
    {
        return training.Algorithm.DynamicSampling
            ? new DynamicSamplingFilter(new DynamicSamplingBatcher(groupsPerStep, enabled: true, training.Algorithm.MaxDiscardedGroups,
                TrainingStrategies.Truncation(training.Algorithm)))
            : KeepEveryGroup.Instance;
    }

    public void ResumeStep(int discardedInStep) => batcher.ResumeDiscarded(discardedInStep);

    public bool Keep(ScoredGroup group)
    {
        if (batcher.Offer(LearnerPort.ToTraining(group)) == GroupVerdict.Discarded)
            return false;
        if (batcher.IsFull)
            batcher.Take();
        return true;
    }
}
