using System.Reflection;
using R1Actors.Cli;
using R1Actors.Pipeline.Graph;
using R1Actors.Policy.Model;

namespace R1Actors.Tests.Cli;

public sealed class CommandFailureTests
{
    [Fact]
    public void A_configuration_error_inside_the_pipelines_and_tasks_wrappers_is_exit_2_with_its_own_line()
    {
        var wrapped = new AggregateException(new PipelineFailedException("the learner gave up", new SettingsException("r1.data", "the data changed")));

        var failure = CommandFailure.Of(new TargetInvocationException(wrapped));

        Assert.Equal(ExitCodes.Usage, failure.ExitCode);
        Assert.IsType<SettingsException>(failure.Cause);
        Assert.StartsWith("Configuration error, key 'r1.data': the data changed", failure.Message, StringComparison.Ordinal);
        Assert.False(failure.IsFault);
    }

    [Fact]
    public void A_model_format_error_is_a_data_error_that_points_at_the_model_path_key()
    {
        var failure = CommandFailure.Of(new ModelFormatException("models/x/config.json: key 'hidden_size' must be a positive integer."));

        Assert.Equal(ExitCodes.Usage, failure.ExitCode);
        Assert.Contains("r1.model.path", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancellation_is_130_and_any_other_exception_a_fault_on_one_line()
    {
        Assert.Equal(ExitCodes.Cancelled, CommandFailure.Of(new AggregateException(new OperationCanceledException())).ExitCode);

        var fault = CommandFailure.Of(new AggregateException(new InvalidOperationException("first\nsecond")));

        Assert.True(fault.IsFault);
        Assert.IsType<InvalidOperationException>(fault.Cause);
        Assert.Equal("error: first; second", fault.Message);
    }
}
