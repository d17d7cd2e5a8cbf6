using R1Actors.Cli;
using R1Actors.Configuration;

namespace R1Actors.Tests.Configuration;

public sealed class ConfigurationErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("r1-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string text)
    {
        var path = Path.Combine(_dir, "run.conf");
        File.WriteAllText(path, text);
        return path;
    }

    private static SettingsException Fails(string? file, params string[] sets) =>
        Assert.Throws<SettingsException>(() => R1Settings.Load(file, sets));

    [Fact]
    public void Unknown_key_names_the_key_the_file_its_line_and_the_nearest_real_key()
    {
        var file = Write("r1 {\n  run {\n    name = \"x\"\n    sead = 5\n  }\n}\n");
        var e = Fails(file);
        Assert.Equal("r1.run.sead", e.Key);
        Assert.Equal($"{file} line 4", e.Origin);
        Assert.Contains("unknown key", e.Message);
        Assert.Contains("did you mean 'r1.run.seed'", e.Message);
    }

    [Fact]
    public void Wrong_type_names_the_key_the_file_and_the_expected_type()
    {
        var file = Write("r1.run.seed = twelve\n");
        var e = Fails(file);
        Assert.Equal("r1.run.seed", e.Key);
        Assert.Equal($"{file} line 1", e.Origin);
        Assert.Contains("expected a whole number, got \"twelve\"", e.Message);
    }

    [Fact]
    public void Out_of_range_value_names_the_allowed_range()
    {
        var e = Fails(Write("r1 { torch { threads = 5000 } }\n"));
        Assert.Equal("r1.torch.threads", e.Key);
        Assert.Contains("from 0 to 1024, got 5000", e.Message);
    }

    [Fact]
    public void Value_outside_an_enumeration_lists_the_allowed_values()
    {
        var e = Fails(null, "r1.logging.level=Loud");
        Assert.Equal("--set", e.Origin);
        Assert.Contains("\"Information\"", e.Message);
        Assert.Contains("got \"Loud\"", e.Message);
    }

    [Fact]
    public void A_single_value_where_a_block_belongs_is_reported()
    {
        var e = Fails(null, "r1.logging.seq=5");
        Assert.Equal("r1.logging.seq", e.Key);
        Assert.Contains("expected a block of keys", e.Message);
    }

    [Fact]
    public void Malformed_hocon_is_reported_with_the_file_name()
    {
        var file = Write("r1 { run { name = \"x\" \n");
        var e = Fails(file);
        Assert.Contains(file, e.Message);
        Assert.Contains("not valid HOCON", e.Message);
    }

    [Fact]
    public void A_missing_config_file_is_reported()
    {
        var e = Fails(Path.Combine(_dir, "absent.conf"));
        Assert.Equal("--config", e.Key);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void Seq_url_must_be_http()
    {
        var e = Fails(null, "r1.logging.seq.url=\"ftp://example\"");
        Assert.Equal("r1.logging.seq.url", e.Key);
        Assert.Contains("http://", e.Message);
    }

    [Fact]
    public void Set_overrides_the_file_and_the_file_overrides_the_reference()
    {
        var file = Write("r1.run { name = \"from-file\", seed = 7 }\n");
        var (settings, source) = R1Settings.Load(file, ["r1.run.seed=9"]);
        Assert.Equal("from-file", settings.Run.Name);
        Assert.Equal(9, settings.Run.Seed);
        Assert.Equal("--set", source.OriginOf("r1.run.seed"));
        Assert.StartsWith(file, source.OriginOf("r1.run.name"), StringComparison.Ordinal);
    }

    [Fact]
    public void Binding_reads_every_key_that_reference_conf_defines()
    {
        var reader = new SettingsReader(ConfigSource.Load(null, []));
        R1Settings.Bind(reader);
        var unread = reader.Source.ReferenceKeys.Except(reader.KeysRead).Order().ToList();
        Assert.True(unread.Count == 0, "keys in reference.conf that no settings record reads: " + string.Join(", ", unread));
    }

    [Fact]
    public void A_configuration_error_exits_with_code_2_and_explains_itself_on_stderr()
    {
        var file = Write("r1.run.seed = -1\n");

        var run = InProcessCommand.Capture(() => CommandAction.Run(() => { R1Settings.Load(file, []); return ExitCodes.Success; }));

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains($"{file} line 1, key 'r1.run.seed': expected a whole number >= 0, got -1", run.Stderr);
    }
}
