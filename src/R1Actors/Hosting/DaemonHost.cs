using System.Runtime.ExceptionServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace R1Actors.Hosting;

/// <summary>
/// Runs a long job as a hosted service (Microsoft.Extensions.Hosting), friendly to systemd
/// (<c>Type=notify</c>: ready and stopping notifications, journal-friendly console). SIGTERM or SIGINT
/// cancels the token the job receives; the job finishes what it is doing (the step in progress, a final
/// checkpoint) and returns its exit code, which becomes the process's. A job that throws stops the host, and
/// its exception is rethrown from <see cref="Run"/> as it was, so the command reports it the way it reports an
/// error found before the host started (<see cref="Cli.CommandFailure"/>).
/// </summary>
public static class DaemonHost
{
    /// <param name="job">The work; it must return promptly after its token is cancelled, and log its own end.</param>
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
        service.Failure?.Throw();
        return service.ExitCode;
    }

    private sealed class JobService(JobService.Job job, IHostApplicationLifetime lifetime) : BackgroundService
    {
        public sealed record Job(Func<CancellationToken, Task<int>> Body);

        public int ExitCode { get; private set; } = Cli.ExitCodes.Failure;

        /// <summary>What the job threw, kept with its stack trace for <see cref="Run"/> to rethrow.</summary>
        public ExceptionDispatchInfo? Failure { get; private set; }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                await Task.Yield();
                ExitCode = await job.Body(stoppingToken);
            }
            catch (Exception e)
            {
                Failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                lifetime.StopApplication();
            }
        }
    }
}
