using System.CommandLine;
using R1Actors.Cli;

namespace R1Actors.Commands;

/// <summary><c>r1actors report</c>: charts and a summary from a run's CLEF log.</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var command = new Command("report", "Read a run's CLEF log (no Seq needed) and write PNG charts and a Markdown summary");
        command.Add(CommonOptions.RunDir("Run folder to report on"));
        command.SetAction(_ => CommandAction.Run(() => Unavailable.Answer("report")));
        return command;
    }
}
