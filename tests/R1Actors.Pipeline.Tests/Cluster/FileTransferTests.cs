using System.Security.Cryptography;
using Akka.Streams;
using Akka.TestKit.Xunit2;
using R1Actors.Pipeline.Cluster;

namespace R1Actors.Pipeline.Tests.Cluster;

/// <summary>
/// Files between nodes: an offer holds the file from the moment it is made (the weights server deletes a version's
/// file as soon as a newer one is exported, often before the node starts reading), and a file that arrives other than
/// announced is refused and leaves nothing behind.
/// </summary>
public sealed class FileTransferTests : TestKit, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("r1-file-transfer-").FullName;

    private readonly IMaterializer _materializer;

    public FileTransferTests() => _materializer = Sys.Materializer();

    void IDisposable.Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        Dispose();
    }

    private (string Path, byte[] Bytes) Written(string name, int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return (path, bytes);
    }

    [Fact]
    public async Task A_file_deleted_after_it_was_offered_still_arrives_whole()
    {
        var (path, bytes) = Written("weights-v3.bin", 100_003);
        var file = FileTransfer.Describe(path, "weights-v3.bin");
        var chunks = await FileTransfer.Offer(path, 4096, _materializer);
        File.Delete(path);   // a newer version was exported before the node began to read this one
        var target = Path.Combine(_dir, "received.bin");

        var (received, _) = await FileTransfer.ReceiveAsync(new FileOffer(file, 3, false, chunks), target, _materializer).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(bytes.Length, received);
        Assert.Equal(bytes, File.ReadAllBytes(target));
        Assert.False(File.Exists(target + ".part"));
    }

    [Fact]
    public async Task A_file_that_differs_from_its_announcement_is_refused_and_deleted()
    {
        var (path, bytes) = Written("model.safetensors", 9_000);
        var announced = new TransferFile("model.safetensors", bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes.Reverse().ToArray())));
        var chunks = await FileTransfer.Offer(path, 1000, _materializer);
        var target = Path.Combine(_dir, "received.safetensors");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => FileTransfer.ReceiveAsync(new FileOffer(announced, -1, false, chunks), target, _materializer));

        Assert.Contains("model.safetensors arrived with 9000 bytes", error.Message);
        Assert.Contains(announced.Sha256, error.Message);
        Assert.False(File.Exists(target));
        Assert.False(File.Exists(target + ".part"));
    }

    [Fact]
    public void A_node_keeps_a_file_it_already_holds_only_when_length_and_hash_match()
    {
        var (path, bytes) = Written("config.json", 64);
        var file = FileTransfer.Describe(path, "config.json");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), file.Sha256);
        Assert.True(FileTransfer.AlreadyHas(path, file));
        bytes[10] ^= 1;
        File.WriteAllBytes(path, bytes);
        Assert.False(FileTransfer.AlreadyHas(path, file));   // same length, other bytes
        Assert.False(FileTransfer.AlreadyHas(Path.Combine(_dir, "absent.json"), file));
    }
}
