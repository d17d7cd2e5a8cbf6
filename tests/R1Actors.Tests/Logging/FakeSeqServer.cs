using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace R1Actors.Tests.Logging;

/// <summary>
/// A loopback HTTP server that speaks Seq's raw ingestion endpoint (<c>POST /api/events/raw</c> with a
/// CLEF body, one JSON event a line) and keeps what it receives. It can be stopped and restarted on the
/// same port to simulate an outage.
/// </summary>
internal sealed class FakeSeqServer : IDisposable
{
    private readonly ConcurrentQueue<JsonElement> _events = new();
    private HttpListener? _listener;
    private Task? _loop;

    public FakeSeqServer()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/";

    public IReadOnlyList<JsonElement> Events => [.. _events];

    public int Requests { get; private set; }

    public void Start()
    {
        _listener = new HttpListener();
        _listener.Prefixes.Add(Url);
        _listener.Start();
        var listener = _listener;
        _loop = Task.Run(() => Serve(listener));
    }

    public void Stop()
    {
        _listener?.Stop();
        _listener?.Close();
        _listener = null;
        _loop?.Wait(TimeSpan.FromSeconds(5));
    }

    public void Dispose() => Stop();

    private async Task Serve(HttpListener listener)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            Requests++;
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            var ok = context.Request.HttpMethod == "POST" && context.Request.Url!.AbsolutePath == "/api/events/raw";
            if (ok)
            {
                foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    _events.Enqueue(JsonDocument.Parse(line).RootElement.Clone());
                }
            }
            context.Response.StatusCode = ok ? 201 : 404;
            context.Response.Close();
        }
    }
}
