using System.CommandLine;
using R1Actors.Cli;
using R1Actors.Reporting;

namespace R1Actors.Commands;

/// <summary><c>r1actors report</c>: charts and a summary from a run's CLEF log.</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var command = new Command("report", "Read a run's CLEF log (no Seq needed) and write PNG charts and a Markdown summary");
        var runDir = CommonOptions.RunDir("Run folder to report on");
        runDir.Required = true;
        var output = new Option<string?>("--output") { Description = "Where to write the report (default: RUN_DIR/report)" };
        command.Add(runDir);
        command.Add(output);
        command.SetAction(parse => CommandAction.Run(() =>
        {
            var directory = parse.GetValue(runDir)!;
            if (!Directory.Exists(directory))
            {
                throw new UsageException($"run folder {directory} does not exist");
            }
            foreach (var file in RunReport.Write(directory, parse.GetValue(output) ?? Path.Combine(directory, "report")))
            {
                Console.WriteLine(file);
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
