namespace R1Actors.Core.Tests;

public class SettingsExceptionTests
{
    [Fact]
    public void A_mistake_found_where_its_origin_is_unknown_says_where_to_set_the_key()
    {
        var error = new SettingsException("r1.data.files", "file 'x.jsonl' does not exist");

        Assert.Equal("Configuration error, key 'r1.data.files': file 'x.jsonl' does not exist (set it in the run's .conf file or with --set r1.data.files=...)", error.Message);
        Assert.Equal("", error.Origin);
    }

    [Fact]
    public void Placed_where_the_key_was_set_it_names_the_origin_and_keeps_key_and_problem()
    {
        var found = new SettingsException("r1.data.files", "file 'x.jsonl' does not exist");

        var placed = found.At("hocon/gsm8k.conf line 12");

        Assert.Equal("Configuration error at hocon/gsm8k.conf line 12, key 'r1.data.files': file 'x.jsonl' does not exist", placed.Message);
        Assert.Equal(("r1.data.files", "file 'x.jsonl' does not exist"), (placed.Key, placed.Problem));
        Assert.Same(found, placed.InnerException);
    }

    [Fact]
    public void A_mistake_with_its_origin_names_file_line_and_key()
    {
        var error = new SettingsException("r1.pipeline.group-size", "--set", "must be at least 2, got 1");

        Assert.Equal("Configuration error at --set, key 'r1.pipeline.group-size': must be at least 2, got 1", error.Message);
    }
}
