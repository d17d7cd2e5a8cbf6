using R1Actors.Configuration;

namespace R1Actors.Tests.Comparison;

public class CompareConfigTests
{
    [Fact]
    public void The_gsm8k_compare_config_is_the_r1_zero_recipe_with_a_cold_start_file_and_pass_at_64()
    {
        var (compare, _) = R1Settings.Load(RepositoryPaths.File("hocon", "qwen2.5-0.5b-compare-gsm8k.conf"), []);
        var (recipe, _) = R1Settings.Load(RepositoryPaths.File("hocon", "qwen2.5-0.5b-r1zero-gsm8k.conf"), []);

        Assert.Equal("data/gsm8k/cold-start.jsonl", compare.Training.Objective.Sft.Traces);
        Assert.Equal(64, compare.Compare.EvalSamples);
        Assert.Equal("grpo", compare.Training.Objective.Name);
        Assert.Equal(recipe.Training.Algorithm, compare.Training.Algorithm);
        Assert.Equal(recipe.Training.Optimizer, compare.Training.Optimizer);
        Assert.Equal(recipe.Sampling.Options.MaxNewTokens, compare.Sampling.Options.MaxNewTokens);
        Assert.Equal(recipe.Sampling.Options.Temperature, compare.Sampling.Options.Temperature);
        Assert.Equal((recipe.Pipeline.GroupSize, recipe.Pipeline.GroupsPerStep, recipe.Pipeline.MaxStaleness),
            (compare.Pipeline.GroupSize, compare.Pipeline.GroupsPerStep, compare.Pipeline.MaxStaleness));
        Assert.Equal(recipe.Model, compare.Model);
    }

    [Fact]
    public void Sft_without_a_trace_file_offline_rft_with_one_and_rft_with_dynamic_sampling_are_refused_naming_the_key()
    {
        var sft = Assert.Throws<SettingsException>(() => R1Settings.Load(null, ["r1.training.objective=sft"]));
        Assert.Equal("r1.training.sft.traces", sft.Key);

        var offline = Assert.Throws<SettingsException>(() => R1Settings.Load(null,
            ["r1.training.objective=rft", "r1.training.rft.mode=offline", "r1.training.sft.traces=\"t.jsonl\""]));
        Assert.Contains("offline rft makes its own traces", offline.Message);

        var dynamic = Assert.Throws<SettingsException>(() => R1Settings.Load(null, ["r1.training.objective=rft", "r1.training.algorithm.dynamic-sampling=true"]));
        Assert.Equal("r1.training.algorithm.dynamic-sampling", dynamic.Key);

        var unknown = Assert.Throws<SettingsException>(() => R1Settings.Load(null, ["r1.training.objective=ppo"]));
        Assert.Equal("r1.training.objective", unknown.Key);
    }
}
