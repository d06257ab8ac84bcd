using System.Text;
using Gdpr.Encryption;

namespace Gdpr.Core.Tests.Streams;

/// <summary>
/// Every way the stored bytes of an object can be changed is a typed integrity error naming the object and the
/// subject's pseudonym, never the plaintext: cuts, extensions, reordered, duplicated and swapped segments (also
/// between two objects of one subject), header edits, and blobs moved under another id. Segments of 1 KiB, so a
/// few kilobytes make several.
/// </summary>
public class StreamTamperTests
{
    private const int Segment = 1024;
    private const string Secret = "The customer read out card number 4111 1111 1111 1111. ";

    // 5 segments: 4 full, the last 904 bytes.
    private static readonly byte[] Plaintext = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(Secret, 5000 / Secret.Length + 1)))[..5000];

    public static TheoryData<FieldEncryptionAlgorithm> Algorithms => [FieldEncryptionAlgorithm.Aegis256, FieldEncryptionAlgorithm.Aes256Gcm];

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task OpenRead_CutAtSegmentBoundary_IsIncomplete(FieldEncryptionAlgorithm algorithm)
    {
        await using var kit = await WrittenAsync(algorithm);
        var (header, stride) = Layout(kit, algorithm);
        Cut(kit, header + (3 * stride));

        var error = await OpenFailsAsync(kit);

        Assert.Equal(IntegrityFailure.Incomplete, error.Failure);
        Assert.Equal(2, error.Segment);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task OpenRead_CutInsideASegment_FailsAuthentication(FieldEncryptionAlgorithm algorithm)
    {
        await using var kit = await WrittenAsync(algorithm);
        var (header, stride) = Layout(kit, algorithm);
        Cut(kit, header + (2 * stride) + 500);

        Assert.Equal(IntegrityFailure.AuthenticationFailed, (await OpenFailsAsync(kit)).Failure);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task OpenRead_CutToTheHeaderOrAFewBytesAfterIt_IsIncomplete(FieldEncryptionAlgorithm algorithm)
    {
        await using var kit = await WrittenAsync(algorithm);
        var (header, stride) = Layout(kit, algorithm);

        Cut(kit, header + stride + 5); // less than a tag after the second full segment
        Assert.Equal(IntegrityFailure.Incomplete, (await OpenFailsAsync(kit)).Failure);

        Cut(kit, header);
        Assert.Equal(IntegrityFailure.Incomplete, (await OpenFailsAsync(kit)).Failure);

        Cut(kit, 30); // inside the header itself
        Assert.Equal(IntegrityFailure.Truncated, (await OpenFailsAsync(kit)).Failure);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task OpenRead_BytesAfterAFullFinalSegment_IsExtended(FieldEncryptionAlgorithm algorithm)
    {
        await using var kit = StreamTestKit.Create(algorithm, Segment);
        await kit.WriteAsync("full", Plaintext[..(4 * Segment)]);
        var bytes = File.ReadAllBytes(kit.PathOf("full"));
        var stride = Segment + (algorithm == FieldEncryptionAlgorithm.Aegis256 ? 32 : 16);
        var header = bytes.Length - (4 * stride);

        // A copy of a real segment appended; then a few stray bytes.
        File.WriteAllBytes(kit.PathOf("full"), [.. bytes, .. bytes.AsSpan(header, stride)]);
        Assert.Equal(IntegrityFailure.Extended, (await OpenFailsAsync(kit, "full")).Failure);

        File.WriteAllBytes(kit.PathOf("full"), [.. bytes, 1, 2, 3]);
        Assert.Equal(IntegrityFailure.Extended, (await OpenFailsAsync(kit, "full")).Failure);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task OpenRead_BytesAfterAShortFinalSegment_FailsAuthentication(FieldEncryptionAlgorithm algorithm)
    {
        // The appended bytes shift where the last segment seems to end, so it no longer authenticates; which of
        // "extended" or "altered" is unknowable without the length, which a streaming writer cannot put in the header.
        await using var kit = await WrittenAsync(algorithm);
        var bytes = File.ReadAllBytes(kit.PathOf("call-1"));
        File.WriteAllBytes(kit.PathOf("call-1"), [.. bytes, 1, 2, 3]);

        Assert.Equal(IntegrityFailure.AuthenticationFailed, (await OpenFailsAsync(kit)).Failure);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Read_SegmentsSwappedOrDuplicated_FailsAtTheMovedSegment(FieldEncryptionAlgorithm algorithm)
    {
        await using var kit = await WrittenAsync(algorithm);
        var (header, stride) = Layout(kit, algorithm);
        var original = File.ReadAllBytes(kit.PathOf("call-1"));

        var swapped = (byte[])original.Clone();
        original.AsSpan(header + stride, stride).CopyTo(swapped.AsSpan(header + (2 * stride)));
        original.AsSpan(header + (2 * stride), stride).CopyTo(swapped.AsSpan(header + stride));
        File.WriteAllBytes(kit.PathOf("call-1"), swapped);
        var error = await ReadFailsAsync(kit, expectBefore: Segment);
        Assert.Equal((IntegrityFailure.AuthenticationFailed, 1L), (error.Failure, error.Segment));

        var duplicated = (byte[])original.Clone();
        original.AsSpan(header, stride).CopyTo(duplicated.AsSpan(header + (3 * stride)));
        File.WriteAllBytes(kit.PathOf("call-1"), duplicated);
        error = await ReadFailsAsync(kit, expectBefore: 3 * Segment);
        Assert.Equal((IntegrityFailure.AuthenticationFailed, 3L), (error.Failure, error.Segment));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Read_SegmentFromAnotherObjectOfTheSameSubject_FailsAuthentication(FieldEncryptionAlgorithm algorithm)
    {
        await using var kit = await WrittenAsync(algorithm);
        await kit.WriteAsync("call-2", Plaintext);
        var (header, stride) = Layout(kit, algorithm);
        var mine = File.ReadAllBytes(kit.PathOf("call-1"));
        var theirs = File.ReadAllBytes(kit.PathOf("call-2"));

        // Same subject, same scope, same plaintext, same position: still another object's key.
        theirs.AsSpan(header + stride, stride).CopyTo(mine.AsSpan(header + stride));
        File.WriteAllBytes(kit.PathOf("call-1"), mine);

        var error = await ReadFailsAsync(kit, expectBefore: Segment);
        Assert.Equal((IntegrityFailure.AuthenticationFailed, 1L), (error.Failure, error.Segment));

        // The final segment of another object is caught when opening.
        theirs.AsSpan(header + (4 * stride)).CopyTo(mine.AsSpan(header + (4 * stride)));
        File.WriteAllBytes(kit.PathOf("call-1"), mine);
        Assert.Equal(IntegrityFailure.AuthenticationFailed, (await OpenFailsAsync(kit)).Failure);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task OpenRead_EveryHeaderByteChanged_FailsWithAnIntegrityError(FieldEncryptionAlgorithm algorithm)
    {
        await using var kit = await WrittenAsync(algorithm);
        var (header, _) = Layout(kit, algorithm);
        var original = File.ReadAllBytes(kit.PathOf("call-1"));

        for (var i = 0; i < header; i++)
        {
            var edited = (byte[])original.Clone();
            edited[i] ^= 0x01;
            File.WriteAllBytes(kit.PathOf("call-1"), edited);

            var error = await Assert.ThrowsAsync<EncryptedObjectIntegrityException>(() => kit.Objects.OpenReadAsync(StreamTestKit.Address("call-1")).AsTask());
            Assert.Equal("call-1", error.ObjectId);
        }
    }

    [Fact]
    public async Task OpenRead_BlobOfAnotherObjectUnderThisId_IsWrongObject()
    {
        await using var kit = await WrittenAsync(FieldEncryptionAlgorithm.Aegis256);
        await kit.WriteAsync("call-2", Plaintext);
        File.Copy(kit.PathOf("call-2"), kit.PathOf("call-1"), overwrite: true);

        Assert.Equal(IntegrityFailure.WrongObject, (await OpenFailsAsync(kit)).Failure);
    }

    [Fact]
    public async Task OpenRead_AsAnotherSubjectOrScope_FailsAuthenticationAndNamesNoPlaintext()
    {
        await using var kit = await WrittenAsync(FieldEncryptionAlgorithm.Aegis256);
        await kit.WriteAsync("other", [1, 2, 3], subject: "customer-43"); // the other subject has a key (version 1) too

        var otherSubject = await Assert.ThrowsAsync<EncryptedObjectIntegrityException>(() => kit.Objects.OpenReadAsync(StreamTestKit.Address("call-1", subject: "customer-43")).AsTask());
        var otherScope = await Assert.ThrowsAsync<EncryptedObjectIntegrityException>(() => kit.Objects.OpenReadAsync(StreamTestKit.Address("call-1", scope: "complaints")).AsTask());

        Assert.Equal(IntegrityFailure.AuthenticationFailed, otherSubject.Failure);
        Assert.Equal(kit.Host.Keys.GetPseudonym("customer-43").Value, otherSubject.SubjectPseudonym);
        Assert.Equal(IntegrityFailure.UnknownKeyVersion, otherScope.Failure); // that scope never had a key
        foreach (var error in new[] { otherSubject, otherScope })
        {
            Assert.Contains("call-1", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("4111", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("customer-4", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Read_AlteredMiddleSegment_ReturnsTheSegmentsBeforeItThenFails()
    {
        await using var kit = await WrittenAsync(FieldEncryptionAlgorithm.Aegis256);
        var (header, stride) = Layout(kit, FieldEncryptionAlgorithm.Aegis256);
        var bytes = File.ReadAllBytes(kit.PathOf("call-1"));
        bytes[header + (2 * stride) + 10] ^= 0x80;
        File.WriteAllBytes(kit.PathOf("call-1"), bytes);

        await using var reader = await kit.Objects.OpenReadAsync(StreamTestKit.Address("call-1"));
        reader.Position = 4 * Segment; // the segments around it still read
        var last = new byte[Segment];
        Assert.Equal(904, await reader.ReadAsync(last));
        Assert.Equal(Plaintext[(4 * Segment)..], last[..904]);

        reader.Position = (2 * Segment) + 100;
        var error = await Assert.ThrowsAsync<EncryptedObjectIntegrityException>(() => reader.ReadAsync(new byte[10]).AsTask());
        Assert.Equal((IntegrityFailure.AuthenticationFailed, 2L), (error.Failure, error.Segment));

        // A whole segment asked for from its start is decrypted straight into the caller's buffer: nothing of it is left there.
        reader.Position = 2 * Segment;
        var whole = new byte[Segment];
        error = await Assert.ThrowsAsync<EncryptedObjectIntegrityException>(() => reader.ReadAsync(whole).AsTask());
        Assert.Equal((IntegrityFailure.AuthenticationFailed, 2L), (error.Failure, error.Segment));
        Assert.All(whole, b => Assert.Equal(0, b));
    }

    private static async Task<StreamTestKit> WrittenAsync(FieldEncryptionAlgorithm algorithm)
    {
        var kit = StreamTestKit.Create(algorithm, Segment);
        await kit.WriteAsync("call-1", Plaintext);
        return kit;
    }

    private static (int Header, int Stride) Layout(StreamTestKit kit, FieldEncryptionAlgorithm algorithm)
    {
        var aegis = algorithm == FieldEncryptionAlgorithm.Aegis256;
        var stride = Segment + (aegis ? 32 : 16);
        var header = (int)new FileInfo(kit.PathOf("call-1")).Length - (4 * stride) - 904 - (aegis ? 32 : 16);
        Assert.Equal(46 + (aegis ? 23 : 7) + 2 + 6, header);
        return (header, stride);
    }

    private static void Cut(StreamTestKit kit, long length)
    {
        using var file = new FileStream(kit.PathOf("call-1"), FileMode.Open);
        file.SetLength(length);
    }

    private static async Task<EncryptedObjectIntegrityException> OpenFailsAsync(StreamTestKit kit, string objectId = "call-1")
    {
        var error = await Assert.ThrowsAsync<EncryptedObjectIntegrityException>(() => kit.Objects.OpenReadAsync(StreamTestKit.Address(objectId)).AsTask());
        Assert.Equal(objectId, error.ObjectId);
        Assert.Equal(kit.Host.Keys.GetPseudonym(StreamTestKit.Subject).Value, error.SubjectPseudonym);
        Assert.DoesNotContain("4111", error.Message, StringComparison.Ordinal);
        return error;
    }

    /// <summary>Reads from the start: the bytes before the bad segment come back right, then the read fails.</summary>
    private static async Task<EncryptedObjectIntegrityException> ReadFailsAsync(StreamTestKit kit, int expectBefore)
    {
        await using var reader = await kit.Objects.OpenReadAsync(StreamTestKit.Address("call-1"));
        var before = new byte[expectBefore];
        await reader.ReadExactlyAsync(before);
        Assert.Equal(Plaintext[..expectBefore], before);
        var error = await Assert.ThrowsAsync<EncryptedObjectIntegrityException>(() => reader.ReadAsync(new byte[100]).AsTask());
        Assert.DoesNotContain("4111", error.Message, StringComparison.Ordinal);
        return error;
    }
}
