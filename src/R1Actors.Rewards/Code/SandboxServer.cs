// One sandbox server (judge.py): a Python process already inside its namespaces, limits and minimal root,
// that forks a fresh program per run. ProcessSandbox keeps one per verifier slot (the warm pool) or starts one
// per job (cold). This class only starts it, speaks its framed protocol (4-byte big-endian length, then
// JSON; set-up frame → ready, then job frame → verdict, one at a time) and kills it with its whole tree.
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace R1Actors.Rewards.Code;

/// <summary>Why a server gave no verdict for a job.</summary>
internal enum ServerFailure { None, TimedOut, Exited }

/// <summary>A started sandbox server; not thread-safe (one job at a time, which the slot guarantees).</summary>
internal sealed class SandboxServer : IDisposable
{
    private const int MaxVerdictBytes = 8 << 20;
    private const int StderrTailBytes = 4096;
    private readonly Process _process;
    private readonly Stream _input;
    private readonly Stream _output;
    private readonly StringBuilder _stderr = new();
    private bool _disposed;

    private SandboxServer(Process process)
    {
        _process = process;
        _input = process.StandardInput.BaseStream;
        _output = process.StandardOutput.BaseStream;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr)
            {
                _stderr.Append(e.Data).Append('\n');
                if (_stderr.Length > StderrTailBytes) _stderr.Remove(0, _stderr.Length - StderrTailBytes);
            }
        };
        process.BeginErrorReadLine();
    }

    /// <summary>Whether the server has exited (killed while idle, for example by the OOM killer).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Jobs this server has run (ProcessSandbox replaces it after a configured number).</summary>
    public int Runs { get; private set; }

    /// <summary>What the server reported it could harden at set-up (for the start-up log).</summary>
    public IReadOnlyList<string> Hardening { get; private set; } = [];

    /// <summary>The last lines the server wrote to stderr (bounded), for fault messages.</summary>
    public string ErrorTail
    {
        get { lock (_stderr) return _stderr.ToString().Trim(); }
    }

    /// <summary>Starts the server and waits for its ready frame; throws <see cref="SandboxStartException"/> with the reason.</summary>
    public static async Task<SandboxServer> StartAsync(ProcessStartInfo startInfo, JsonObject setup, TimeSpan readyTimeout, CancellationToken cancellationToken)
    {
        var process = new Process { StartInfo = startInfo };
        try { process.Start(); }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new SandboxStartException($"could not start the sandbox server: {e.Message}");
        }
        var server = new SandboxServer(process);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(readyTimeout);
            await server.SendAsync(Encoding.UTF8.GetBytes(setup.ToJsonString()), timeout.Token).ConfigureAwait(false);
            var ready = await server.ReceiveAsync(timeout.Token).ConfigureAwait(false);
            if (ready?["infrastructure_error"] is { } error) throw new SandboxStartException(error.GetValue<string>());
            if (ready?["ready"]?.GetValue<bool>() != true)
            {
                await server.WaitExitedAsync().ConfigureAwait(false);
                throw new SandboxStartException($"the sandbox server exited during set-up: {Tail(server.ErrorTail)}");
            }
            server.Hardening = ready["hardening"] is JsonArray hardening ? hardening.Select(h => h!.GetValue<string>()).ToList() : [];
            return server;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            server.Dispose();
            throw new SandboxStartException($"the sandbox server was not ready within {readyTimeout.TotalSeconds:0.#} s: {Tail(server.ErrorTail)}");
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            server.Dispose();
            throw new SandboxStartException($"the sandbox server failed during set-up ({e.Message}): {Tail(server.ErrorTail)}");
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Sends one job and waits for its verdict within <paramref name="budget"/>; the failure says why there is none.</summary>
    public async Task<(JsonNode? Verdict, ServerFailure Failure)> RunAsync(byte[] job, TimeSpan budget, CancellationToken cancellationToken)
    {
        Runs++;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(budget);
        try
        {
            await SendAsync(job, timeout.Token).ConfigureAwait(false);
            var verdict = await ReceiveAsync(timeout.Token).ConfigureAwait(false);
            return verdict is null ? (null, ServerFailure.Exited) : (verdict, ServerFailure.None);
        }
        catch (OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return (null, ServerFailure.TimedOut);
        }
        catch (Exception e) when (e is IOException or JsonException or ObjectDisposedException)
        {
            return (null, ServerFailure.Exited);
        }
    }

    /// <summary>The server's exit code once it has exited (waits briefly), else null.</summary>
    public async Task<int?> ExitCodeAsync()
    {
        await WaitExitedAsync().ConfigureAwait(false);
        return _process.HasExited ? _process.ExitCode : null;
    }

    private async Task WaitExitedAsync()
    {
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try { await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
    }

    private async Task SendAsync(byte[] payload, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(header, payload.Length);
        await _input.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        await _input.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
        await _input.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One frame, or null at end of stream.</summary>
    private async Task<JsonNode?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var header = new byte[4];
        if (!await ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false)) return null;
        var size = BinaryPrimitives.ReadInt32BigEndian(header);
        if (size < 0 || size > MaxVerdictBytes) throw new IOException($"the sandbox server sent a frame of {size} bytes");
        var payload = new byte[size];
        if (!await ReadExactlyAsync(payload, cancellationToken).ConfigureAwait(false)) return null;
        return JsonNode.Parse(payload);
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _output.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }

    /// <summary>Kills the server and everything it started (the namespace dies with its pid 1).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5_000);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { }
        _process.Dispose();
    }

    internal static string Tail(string text) => text.Length <= 400 ? text.Trim() : text[^400..].Trim();
}

/// <summary>The sandbox server could not be started or set up; the message says why (a sandbox fault).</summary>
public sealed class SandboxStartException(string message) : Exception(message);
