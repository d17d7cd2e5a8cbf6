using System.Runtime.InteropServices;

namespace R1Actors.Bench.Commands;

/// <summary>
/// SIGINT and SIGTERM, while this lives, cancel <see cref="Token"/> instead of ending the process at once: the command
/// stops its children (child daemons, sampler nodes) on its way out and exits with 130.
/// </summary>
public sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;

    public StopSignals()
    {
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    }

    public CancellationToken Token => _stop.Token;

    /// <summary>Cancels <see cref="Token"/> as a signal would (another reason to stop, such as the end of standard input).</summary>
    public void Cancel()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // the command has already ended
        }
    }

    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
        _stop.Dispose();
    }

    private void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        Cancel();
    }
}
