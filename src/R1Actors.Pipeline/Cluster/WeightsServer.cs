using Akka.Actor;
using Akka.Streams;
using R1Actors.Pipeline.Contracts;
using R1Actors.Pipeline.Graph;
using Serilog;

namespace R1Actors.Pipeline.Cluster;

/// <summary>
/// The learner node's side of the weight hand-off to sampler nodes: serves the base model folder's files and the
/// newest weights version, each as a <see cref="FileOffer"/> (a stream reference of chunks with its SHA-256). A
/// version is written to a file once — as soon as it is published, once a node has fetched weights — and the file of
/// the version before is deleted then (a node still reading it keeps its open handle). Runs on its own thread: an export copies tensors.
/// </summary>
public sealed class WeightsServer : ReceiveActor
{
    private readonly IClusterWeightsSource _source;
    private readonly PolicyVersionBoard _board;
    private readonly Task<IReadOnlyList<TransferFile>> _modelFiles;
    private readonly string _folder;
    private readonly int _chunkBytes;
    private readonly ILogger _log;
    private readonly IMaterializer _materializer;
    private (ExportedWeights Weights, TransferFile File)? _exported;

    /// <param name="modelFiles">The model folder as <see cref="DescribeModelFolder"/> hashed it, once for every node.</param>
    public WeightsServer(IClusterWeightsSource source, PolicyVersionBoard board, Task<IReadOnlyList<TransferFile>> modelFiles, string folder, int chunkBytes, ILogger log)
    {
        _source = source;
        _board = board;
        _modelFiles = modelFiles;
        _folder = folder;
        _chunkBytes = chunkBytes;
        _log = log;
        _materializer = Context.Materializer(namePrefix: "r1-weights");
        // A learner that resumed from a checkpoint numbers its versions again from there: a file an earlier process
        // wrote for version v holds that run's v, not this one's, and must never be served.
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        Receive<FetchFile>(Serve);
        Receive<Actors.WeightsPublished>(_ =>
        {
            if (_exported is null)
                return;   // no sampler node has asked for weights yet
            try
            {
                Weights();   // written now, so the nodes that will ask for it in a moment do not wait for the export
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                _log.Warning(e, "Could not export weights for sampler nodes ahead of their fetch: {Reason}", e.Message);
            }
        });
    }

    public static Props Props(IClusterWeightsSource source, PolicyVersionBoard board, Task<IReadOnlyList<TransferFile>> modelFiles, string folder, int chunkBytes,
        ILogger log, string dispatcher) =>
        Akka.Actor.Props.Create(() => new WeightsServer(source, board, modelFiles, folder, chunkBytes, log)).WithDispatcher(dispatcher);

    /// <summary>The model folder's files, described for <see cref="SamplerNodeWelcome"/> (hashing a large model takes seconds).</summary>
    public static Task<IReadOnlyList<TransferFile>> DescribeModelFolder(string folder) => Task.Run(() =>
        (IReadOnlyList<TransferFile>)[.. Directory.GetFiles(folder).Order(StringComparer.Ordinal)
            .Select(path => FileTransfer.Describe(path, Path.GetFileName(path)))]);

    private void Serve(FetchFile fetch)
    {
        var replyTo = Sender;
        try
        {
            var (path, file, version, isAdapter) = fetch.Name == FetchFile.Weights ? Weights() : ModelFile(fetch.Name);
            FileTransfer.Offer(path, _chunkBytes, _materializer)
                .PipeTo(replyTo, success: chunks => new FileOffer(file, version, isAdapter, chunks),
                    failure: e => new FileRefused(fetch.Name, e.Message));
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException or ArgumentException)
        {
            _log.Error(e, "Could not offer {FileName} to {NodeAddress}", fetch.Name, replyTo.Path.Address.ToString());
            replyTo.Tell(new FileRefused(fetch.Name, e.Message));
        }
    }

    private (string Path, TransferFile File, long Version, bool IsAdapter) ModelFile(string name)
    {
        if (name != Path.GetFileName(name) || name.StartsWith('.'))
            throw new ArgumentException($"'{name}' is not a file name of the model folder");
        var path = Path.Combine(_source.ModelFolder, name);
        if (!File.Exists(path))
            throw new ArgumentException($"the model folder {_source.ModelFolder} has no file '{name}'");
        // A node asks for the files its welcome listed, after the folder was described: that description, not a second hash.
        var described = _modelFiles.IsCompletedSuccessfully ? _modelFiles.Result.FirstOrDefault(f => f.Name == name) : null;
        return (path, described ?? FileTransfer.Describe(path, name), -1, false);
    }

    private (string Path, TransferFile File, long Version, bool IsAdapter) Weights()
    {
        var exported = _exported;
        if (exported is null || !File.Exists(exported.Value.Weights.Path) || exported.Value.Weights.Version < _board.Latest)
        {
            var weights = _source.ExportLatest(_folder);
            if (exported is { } previous && previous.Weights.Path != weights.Path)
                File.Delete(previous.Weights.Path);
            exported = (weights, FileTransfer.Describe(weights.Path, Path.GetFileName(weights.Path)));
            _exported = exported;
            _log.Debug("Weights v{PolicyVersion} exported for sampler nodes: {Bytes} bytes", weights.Version, exported.Value.File.Length);
        }
        var (w, file) = exported.Value;
        return (w.Path, file, w.Version, w.IsAdapter);
    }
}
