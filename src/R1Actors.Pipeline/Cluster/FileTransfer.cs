using System.Diagnostics;
using System.Security.Cryptography;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace R1Actors.Pipeline.Cluster;

/// <summary>
/// Files between nodes: offered as a stream reference of chunks (Akka.Streams over the network, with backpressure,
/// so a slow receiver slows the sender instead of filling its memory) and checked on arrival against the length and
/// SHA-256 the offer announced; a file that does not match is deleted and the transfer fails.
/// </summary>
public static class FileTransfer
{
    /// <summary>A file's description: its name, size and SHA-256.</summary>
    public static TransferFile Describe(string path, string name)
    {
        using var stream = File.OpenRead(path);
        return new TransferFile(name, stream.Length, Convert.ToHexStringLower(SHA256.HashData(stream)));
    }

    /// <summary>
    /// The file's bytes as a stream reference for one receiver. The file is opened here, before the offer leaves: the
    /// weights server deletes a version's file once a newer one is exported, often before the node starts reading,
    /// and the open handle keeps the offered bytes readable until the transfer ends (or its subscription times out).
    /// </summary>
    public static Task<ISourceRef<byte[]>> Offer(string path, int chunkBytes, IMaterializer materializer)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, chunkBytes);
        try
        {
            return StreamConverters.FromInputStream(() => stream, chunkBytes)
                .Select(chunk => chunk.ToArray())
                .RunWith(StreamRefs.SourceRef<byte[]>(), materializer);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Receives an offered file into <paramref name="path"/> (written under a temporary name, renamed when complete
    /// and checked); returns the bytes received and how long it took.
    /// </summary>
    public static async Task<(long Bytes, TimeSpan Elapsed)> ReceiveAsync(FileOffer offer, string path, IMaterializer materializer)
    {
        var clock = Stopwatch.StartNew();
        var temporary = path + ".part";
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long received = 0;
        await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            await offer.Chunks.Source.RunForeach(chunk =>
            {
                stream.Write(chunk);
                hash.AppendData(chunk);
                received += chunk.Length;
            }, materializer).ConfigureAwait(false);
        }
        var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (received != offer.File.Length || sha != offer.File.Sha256)
        {
            File.Delete(temporary);
            throw new InvalidDataException(
                $"{offer.File.Name} arrived with {received} bytes and SHA-256 {sha}; the learner node announced {offer.File.Length} bytes and {offer.File.Sha256}");
        }
        File.Move(temporary, path, overwrite: true);
        return (received, clock.Elapsed);
    }

    /// <summary>Whether <paramref name="path"/> already holds the described file (a node that rejoins keeps its model folder).</summary>
    public static bool AlreadyHas(string path, TransferFile file) =>
        File.Exists(path) && new FileInfo(path).Length == file.Length && Describe(path, file.Name).Sha256 == file.Sha256;
}
