using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace R1Actors.Hosting;

/// <summary>
/// Runs a long job as a hosted service (Microsoft.Extensions.Hosting), friendly to systemd
/// (<c>Type=notify</c>: ready and stopping notifications, journal-friendly console). SIGTERM or SIGINT
/// cancels the token the job receives; the job finishes what it is doing (the step in progress, a final
/// checkpoint) and returns its exit code, which becomes the process's.
/// </summary>
public static class DaemonHost
{
    /// <param name="job">The work; it must return promptly after its token is cancelled.</param>
    /// <param name="shutdownTimeout">How long a stop request waits for the job to finish.</param>
    public static int Run(Func<CancellationToken, Task<int>> job, TimeSpan shutdownTimeout)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSystemd();
        builder.Services.AddSerilog(Log.Logger, dispose: false);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout);
        // The job logs its own start, stop request and end (its last event); the host's lines would come after it.
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddSingleton(new JobService.Job(job));
        builder.Services.AddSingleton<JobService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JobService>());
        var host = builder.Build();
        var service = host.Services.GetRequiredService<JobService>();
        host.Run();   // disposes the host when it returns
        return service.ExitCode;
    }

    private sealed class JobService(JobService.Job job, IHostApplicationLifetime lifetime) : BackgroundService
    {
        public sealed record Job(Func<CancellationToken, Task<int>> Body);

        public int ExitCode { get; private set; } = Cli.ExitCodes.Failure;

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                await Task.Yield();
                ExitCode = await job.Body(stoppingToken);
            }
            catch (SettingsException e)
            {
                Log.Error("{Reason}", e.Message);
                ExitCode = Cli.ExitCodes.Usage;
            }
            catch (Exception e)
            {
                Log.Fatal(e, "The daemon stopped on an error: {Reason}", e.Message);
                ExitCode = Cli.ExitCodes.Failure;
            }
            finally
            {
                lifetime.StopApplication();
            }
        }
    }
}
