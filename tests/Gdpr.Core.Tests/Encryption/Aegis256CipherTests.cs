using Gdpr.Interop;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Gdpr.Encryption;
using NSec.Cryptography;

namespace Gdpr.Core.Tests.Encryption;

/// <summary>
/// The field cipher calls libsodium's AEGIS-256 directly, with its key in a <see cref="KeyArena"/> slot. Its
/// envelopes must stay exactly NSec's (every value written before keeps reading), a forged one must not verify, and
/// a key must be wiped from its slot when released (Art. 32(1): confidentiality of what is erased or evicted).
/// </summary>
public class Aegis256CipherTests
{
    public static TheoryData<int, int> Lengths => new()
    {
        { 0, 0 }, { 1, 70 }, { 15, 3 }, { 16, 16 }, { 17, 80 }, { 31, 1 }, { 32, 32 }, { 33, 0 }, { 255, 129 }, { 4097, 70 },
    };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Envelopes_AreNSecs_InBothDirections(int plaintextLength, int associatedDataLength)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(32);
        var ad = RandomNumberGenerator.GetBytes(associatedDataLength);
        var plaintext = RandomNumberGenerator.GetBytes(plaintextLength);
        using var nsecKey = NSec.Cryptography.Key.Import(AeadAlgorithm.Aegis256, key, KeyBlobFormat.RawSymmetricKey);
        using var cipher = new Aegis256FieldCipher(key);

        var ours = new byte[plaintextLength + Aegis256FieldCipher.TagBytes];
        cipher.Encrypt(nonce, ad, plaintext, ours);
        Assert.Equal(AeadAlgorithm.Aegis256.Encrypt(nsecKey, nonce, ad, plaintext), ours);

        var theirs = AeadAlgorithm.Aegis256.Encrypt(nsecKey, nonce, ad, plaintext);
        var decrypted = new byte[plaintextLength];
        Assert.True(cipher.Decrypt(nonce, ad, theirs, decrypted));
        Assert.Equal(plaintext, decrypted);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(40)]
    public void Decrypt_AnyFlippedByte_FailsAndWritesNoPlaintext(int position)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(32);
        byte[] ad = [1, 2, 3];
        var plaintext = RandomNumberGenerator.GetBytes(24);
        using var cipher = new Aegis256FieldCipher(key);
        var envelope = new byte[plaintext.Length + Aegis256FieldCipher.TagBytes];
        cipher.Encrypt(nonce, ad, plaintext, envelope);
        envelope[position] ^= 0x01;

        var output = Enumerable.Repeat((byte)0xEE, plaintext.Length).ToArray();
        Assert.False(cipher.Decrypt(nonce, ad, envelope, output));
        Assert.All(output, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Calls_WithAWrongNonceOrTagLength_AreRefusedBeforeTheNativeCall()
    {
        using var cipher = new Aegis256FieldCipher(new byte[32]);
        Assert.Throws<ArgumentException>(() => cipher.Encrypt(new byte[12], [], new byte[4], new byte[4 + 32]));
        Assert.Throws<ArgumentException>(() => cipher.Encrypt(new byte[32], [], new byte[4], new byte[4 + 16]));
        Assert.Throws<ArgumentException>(() => cipher.Decrypt(new byte[32], [], new byte[4 + 16], new byte[4]));
    }

    [Fact]
    public void DisposedCipher_ThrowsObjectDisposed_InsteadOfUsingItsSlot()
    {
        var cipher = new Aegis256FieldCipher(RandomNumberGenerator.GetBytes(32));
        cipher.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cipher.Encrypt(new byte[32], [], [1], new byte[33]));
        Assert.Throws<ObjectDisposedException>(() => cipher.Decrypt(new byte[32], [], new byte[33], new byte[1]));
    }

    [Fact]
    public void ReleasedKey_IsWipedFromItsSlot_AndTheSlotIsReused()
    {
        var arena = new KeyArena(); // Private: its slabs are never freed, so reading a released slot is safe here.
        var key = Enumerable.Repeat((byte)0xA5, 32).ToArray();
        var handle = KeySlotHandle.Create(key, arena);
        var slot = handle.DangerousGetHandle();
        Assert.Equal(key, Read(slot));

        handle.Dispose();
        Assert.All(Read(slot), b => Assert.Equal(0, b));
        using var next = KeySlotHandle.Create(RandomNumberGenerator.GetBytes(32), arena);
        Assert.Equal(slot, next.DangerousGetHandle());

        static byte[] Read(nint address)
        {
            var bytes = new byte[32];
            Marshal.Copy(address, bytes, 0, bytes.Length);
            return bytes;
        }
    }

    [Fact]
    public void Arena_GrowsBySlabs_AndNeverHandsOutOneSlotTwice()
    {
        var arena = new KeyArena();
        var handles = Enumerable.Range(0, 5000).Select(i => KeySlotHandle.Create(RandomNumberGenerator.GetBytes(32), arena)).ToList();
        try
        {
            Assert.Equal(3, arena.SlabCount); // 2,048 slots per slab
            Assert.Equal(handles.Count, handles.Select(h => h.DangerousGetHandle()).Distinct().Count());
        }
        finally
        {
            handles.ForEach(h => h.Dispose());
        }
    }

    [Fact]
    public async Task ConcurrentCreateAndRelease_NeverSharesASlot_AndEachKeyStaysIntact()
    {
        var arena = new KeyArena();
        var live = new System.Collections.Concurrent.ConcurrentDictionary<nint, int>();
        var corrupted = 0;
        var shared = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            var key = new byte[32];
            var seen = new byte[32];
            for (var i = 0; i < 20_000; i++)
            {
                BitConverter.TryWriteBytes(key, (worker * 1_000_000) + i);
                using var handle = KeySlotHandle.Create(key, arena);
                var slot = handle.DangerousGetHandle();
                if (!live.TryAdd(slot, worker))
                {
                    Interlocked.Increment(ref shared);
                }

                Marshal.Copy(slot, seen, 0, seen.Length);
                if (!seen.AsSpan().SequenceEqual(key))
                {
                    Interlocked.Increment(ref corrupted);
                }

                live.TryRemove(slot, out _);
            }
        })));

        Assert.Equal(0, shared);
        Assert.Equal(0, corrupted);
        Assert.Equal(1, arena.SlabCount); // released slots are reused: never more than a few live at once
    }

    [Fact]
    public async Task DisposeDuringUse_CallsEitherCompleteOrThrowObjectDisposed_NeverMisdecrypt()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(32);
        var plaintext = RandomNumberGenerator.GetBytes(48);
        for (var round = 0; round < 50; round++)
        {
            var cipher = new Aegis256FieldCipher(key);
            var envelope = new byte[plaintext.Length + Aegis256FieldCipher.TagBytes];
            cipher.Encrypt(nonce, [], plaintext, envelope);
            var wrong = 0;
            using var start = new Barrier(2);
            var reader = Task.Run(() =>
            {
                start.SignalAndWait();
                var output = new byte[plaintext.Length];
                for (var i = 0; i < 2_000; i++)
                {
                    try
                    {
                        if (!cipher.Decrypt(nonce, [], envelope, output) || !output.AsSpan().SequenceEqual(plaintext))
                        {
                            wrong++; // a wiped or reused slot would fail authentication here
                        }
                    }
                    catch (ObjectDisposedException)
                    {
                        return;
                    }
                }
            });
            start.SignalAndWait();
            cipher.Dispose();
            using var other = KeySlotHandle.Create(RandomNumberGenerator.GetBytes(32)); // may take the released slot
            await reader;
            Assert.Equal(0, wrong);
        }
    }

    [Fact]
    public void KeyOfTheWrongLength_IsRefused()
        => Assert.Throws<ArgumentException>(() => KeySlotHandle.Create(new byte[16], new KeyArena()));
}
