using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace R1Actors.Policy.Checkpoints;

/// <summary>
/// Writes a safetensors file that Hugging Face's loaders accept: tensors laid out back to back in the given
/// order, the JSON header padded with spaces to a multiple of 8 bytes, <c>__metadata__.format = "pt"</c>.
/// The file is written under a temporary name and renamed into place, so a crash never leaves a
/// half-written file under the real name.
/// </summary>
public static class SafetensorsWriter
{
    private const int CopyChunkBytes = 64 * 1024 * 1024;

    /// <param name="durable">Flush to the disk before the rename (checkpoints); a file only passed on, such as a weights version for sampler nodes, need not wait for it.</param>
    public static void Write(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors,
        IReadOnlyDictionary<string, string>? metadata = null, bool durable = true)
    {
        var header = Header(tensors, metadata);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            Span<byte> length = stackalloc byte[8];
            BitConverter.TryWriteBytes(length, (long)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var (_, tensor) in tensors)
                WriteData(stream, tensor);
            stream.Flush(flushToDisk: durable);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Bytes a tensor occupies in the data section.</summary>
    public static long ByteSize(Tensor tensor) =>
        tensor.numel() * SafetensorsDtypes.FromType(tensor.dtype, "tensor").Bytes;

    private static byte[] Header(IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new JsonObject();
        var meta = new JsonObject { ["format"] = "pt" };
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
            meta[key] = value;
        json["__metadata__"] = meta;
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            var (code, width) = SafetensorsDtypes.FromType(tensor.dtype, name);
            var size = tensor.numel() * width;
            json[name] = new JsonObject
            {
                ["dtype"] = code,
                ["shape"] = new JsonArray([.. tensor.shape.Select(d => (JsonNode)d)]),
                ["data_offsets"] = new JsonArray(offset, offset + size),
            };
            offset += size;
        }
        var text = json.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
        var bytes = Encoding.UTF8.GetBytes(text);
        return [.. bytes, .. Enumerable.Repeat((byte)' ', (8 - bytes.Length % 8) % 8)];
    }

    private static void WriteData(FileStream stream, Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var flat = tensor.detach().to(CPU).contiguous().view(-1);
        var width = SafetensorsDtypes.FromType(tensor.dtype, "tensor").Bytes;
        var chunkElements = CopyChunkBytes / width;
        for (long offset = 0; offset < flat.shape[0]; offset += chunkElements)
            stream.Write(flat.narrow(0, offset, Math.Min(chunkElements, flat.shape[0] - offset)).bytes);
    }
}
