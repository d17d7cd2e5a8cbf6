using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using R1Actors.Policy.Model;
using static TorchSharp.torch;

namespace R1Actors.Policy.Checkpoints;

/// <summary>One tensor's entry in a safetensors header; offsets are relative to the start of the data section.</summary>
public sealed record SafetensorsEntry(string Name, ScalarType Dtype, long[] Shape, long Begin, long End);

/// <summary>
/// Reads a safetensors file: 8 bytes little-endian header length N, N bytes of JSON
/// (<c>{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {…}}</c>), then the raw
/// little-endian tensor bytes. The whole header is checked when the file is opened — dtype, shape, offsets
/// against the file's real length — so a truncated or corrupt file fails with its name and the tensor
/// concerned before any tensor is made.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;
    private const int CopyChunkBytes = 64 * 1024 * 1024;
    private readonly FileStream stream;
    private readonly long dataStart;

    private SafetensorsFile(string path, FileStream stream, long dataStart,
        IReadOnlyDictionary<string, SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        this.stream = stream;
        this.dataStart = dataStart;
        Entries = entries;
        Metadata = metadata;
    }

    public string Path { get; }
    public IReadOnlyDictionary<string, SafetensorsEntry> Entries { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public static SafetensorsFile Open(string path)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors I/O in R1Actors assumes a little-endian machine.");
        if (!File.Exists(path))
            throw new ModelFormatException($"{path}: file not found.");
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        try
        {
            var (header, dataStart) = ReadHeader(stream, path);
            var (entries, metadata) = ParseHeader(header, stream.Length - dataStart, path);
            return new SafetensorsFile(path, stream, dataStart, entries, metadata);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads tensor <paramref name="name"/> into a new CPU tensor of the stored dtype and shape.</summary>
    public Tensor Read(string name)
    {
        var entry = Entries.TryGetValue(name, out var e) ? e : throw new ModelFormatException($"{Path}: no tensor '{name}'.");
        var result = empty(entry.Shape, entry.Dtype, CPU);
        try
        {
            ReadBytes(entry, result);
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    private void ReadBytes(SafetensorsEntry entry, Tensor destination)
    {
        var flat = destination.view(-1);
        var elementBytes = SafetensorsDtypes.FromType(entry.Dtype, entry.Name).Bytes;
        var chunkElements = CopyChunkBytes / elementBytes;
        stream.Seek(dataStart + entry.Begin, SeekOrigin.Begin);
        for (long offset = 0; offset < flat.shape[0]; offset += chunkElements)
        {
            using var chunk = flat.narrow(0, offset, Math.Min(chunkElements, flat.shape[0] - offset));
            var span = chunk.bytes;
            if (stream.ReadAtLeast(span, span.Length, throwOnEndOfStream: false) != span.Length)
                throw new ModelFormatException($"{Path}: file ends inside tensor '{entry.Name}' (truncated).");
        }
    }

    private static (byte[] Header, long DataStart) ReadHeader(FileStream stream, string path)
    {
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) != 8)
            throw new ModelFormatException($"{path}: shorter than the 8-byte safetensors header length (truncated or not safetensors).");
        var headerLength = BitConverter.ToInt64(lengthBytes);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > stream.Length)
            throw new ModelFormatException(
                $"{path}: header length {headerLength} does not fit a file of {stream.Length} bytes (truncated or not safetensors).");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        return (header, 8 + headerLength);
    }

    private static (Dictionary<string, SafetensorsEntry>, Dictionary<string, string>) ParseHeader(
        byte[] header, long dataLength, string path)
    {
        JsonObject json;
        try
        {
            json = JsonNode.Parse(Encoding.UTF8.GetString(header).TrimEnd(' ')) as JsonObject
                ?? throw new ModelFormatException($"{path}: safetensors header is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{path}: safetensors header is not valid JSON ({e.Message}).", e);
        }
        var entries = new Dictionary<string, SafetensorsEntry>();
        var metadata = new Dictionary<string, string>();
        foreach (var (name, node) in json)
        {
            if (name == "__metadata__")
            {
                foreach (var (key, value) in node as JsonObject ?? [])
                    metadata[key] = value is JsonValue v && v.TryGetValue<string>(out var text) ? text : value?.ToJsonString() ?? "";
                continue;
            }
            entries[name] = ParseEntry(name, node, dataLength, path);
        }
        return (entries, metadata);
    }

    private static SafetensorsEntry ParseEntry(string name, JsonNode? node, long dataLength, string path)
    {
        var dtypeCode = node?["dtype"] is JsonValue d && d.TryGetValue<string>(out var code)
            ? code
            : throw Malformed("no string 'dtype'");
        var (dtype, width) = SafetensorsDtypes.FromCode(dtypeCode, path, name);
        var shape = Longs(node["shape"]) ?? throw Malformed("no integer array 'shape'");
        var offsets = Longs(node["data_offsets"]) ?? throw Malformed("no integer array 'data_offsets'");
        if (shape.Any(dim => dim < 0) || offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
            throw Malformed($"shape [{string.Join(", ", shape)}] or data_offsets [{string.Join(", ", offsets)}] is invalid");
        var expectedBytes = shape.Aggregate(1L, (a, dim) => a * dim) * width;
        if (offsets[1] - offsets[0] != expectedBytes)
            throw Malformed($"{dtypeCode} [{string.Join(", ", shape)}] needs {expectedBytes} bytes but data_offsets span {offsets[1] - offsets[0]}");
        if (offsets[1] > dataLength)
            throw new ModelFormatException(
                $"{path}: tensor '{name}' ends at byte {offsets[1]} of the data section, which holds only {dataLength} bytes (file truncated).");
        return new SafetensorsEntry(name, dtype, shape, offsets[0], offsets[1]);

        ModelFormatException Malformed(string what) => new($"{path}: tensor '{name}' has a malformed header entry: {what}.");
    }

    private static long[]? Longs(JsonNode? node) =>
        node is JsonArray array && array.All(item => item is JsonValue v && v.TryGetValue<long>(out _))
            ? [.. array.Select(item => item!.GetValue<long>())]
            : null;

    public void Dispose() => stream.Dispose();
}
