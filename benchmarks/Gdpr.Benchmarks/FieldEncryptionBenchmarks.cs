using Gdpr.Encryption.Infrastructure;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Gdpr.Encryption;
using Gdpr.Keys;
using Microsoft.Extensions.DependencyInjection;
using NSec.Cryptography;

namespace Gdpr.Benchmarks;

/// <summary>
/// The SDK's per-field cost against the raw AEAD it is built on, for a 64-byte field (an e-mail address, a phone
/// number with room to spare). Every method encrypts and then decrypts once.
/// </summary>
/// <remarks>
/// The baseline passes associated data of the same length the SDK binds (header, pseudonym, scope, field), so the
/// ratio shows what the SDK adds — key lookup, envelope, nonce — not the cost of binding itself, which is part of
/// the design. <see cref="Raw_Aegis256_NoAssociatedData"/> shows that cost for reference.
/// </remarks>
[MemoryDiagnoser]
public class FieldEncryptionBenchmarks
{
    private const int FieldSize = 64;
    private static readonly AeadAlgorithm Aegis = AeadAlgorithm.Aegis256;

    private readonly byte[] _plaintext = new byte[FieldSize];
    private readonly byte[] _decrypted = new byte[FieldSize];
    private readonly byte[] _rawNonce = new byte[Aegis.NonceSize];
    private readonly byte[] _rawCiphertext = new byte[FieldSize + Aegis.TagSize];
    private readonly byte[] _rawGcmNonce = new byte[12];
    private readonly byte[] _rawGcmTag = new byte[16];
    private byte[] _associatedData = [];
    private string _text = "";
    private Key _rawKey = null!;
    private AesGcm _rawAesGcm = null!;

    private ServiceProvider _aegisServices = null!;
    private ServiceProvider _gcmServices = null!;
    private ServiceProvider _missServices = null!;
    private ISpanFieldEncryptor _missEncryptor = null!;
    private ISpanFieldEncryptor _aegis = null!;
    private ISpanFieldEncryptor _gcm = null!;
    private byte[] _envelope = [];
    private byte[] _missEnvelopeA = [];
    private byte[] _missEnvelopeB = [];
    private readonly FieldAddress _field = new("customer-000042", "default", "Customer.Email");
    private readonly FieldAddress _missFieldA = new("customer-cold-a", "default", "Customer.Email");
    private readonly FieldAddress _missFieldB = new("customer-cold-b", "default", "Customer.Email");

    [GlobalSetup]
    public void Setup()
    {
        RandomNumberGenerator.Fill(_plaintext);
        RandomNumberGenerator.Fill(_rawNonce);
        _text = new string('a', FieldSize - 12) + "@example.org";
        // header (6) + pseudonym (43) + NUL + scope + NUL + field: what the SDK binds for _field.
        _associatedData = new byte[6 + 43 + 1 + _field.Scope.Length + 1 + _field.Field.Length];
        RandomNumberGenerator.Fill(_associatedData);
        _rawKey = Key.Create(Aegis);
        _rawAesGcm = new AesGcm(RandomNumberGenerator.GetBytes(32), 16);

        (_aegisServices, _aegis, _) = Build(FieldEncryptionAlgorithm.Aegis256);
        (_gcmServices, _gcm, _) = Build(FieldEncryptionAlgorithm.Aes256Gcm);
        (_missServices, _missEncryptor, _) = Build(FieldEncryptionAlgorithm.Aegis256, maxCachedKeys: 1);
        _aegis.PrepareAsync(_field.SubjectId, _field.Scope, forWriting: true).AsTask().GetAwaiter().GetResult();
        _gcm.PrepareAsync(_field.SubjectId, _field.Scope, forWriting: true).AsTask().GetAwaiter().GetResult();
        _envelope = new byte[_aegis.GetEnvelopeLength(FieldSize)];
        _missEnvelopeA = _missEncryptor.EncryptAsync(_missFieldA, _plaintext).AsTask().GetAwaiter().GetResult();
        _missEnvelopeB = _missEncryptor.EncryptAsync(_missFieldB, _plaintext).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _aegisServices.Dispose();
        _gcmServices.Dispose();
        _missServices.Dispose();
        _rawKey.Dispose();
        _rawAesGcm.Dispose();
    }

    [Benchmark(Baseline = true, Description = "NSec AEGIS-256, raw")]
    public bool Raw_Aegis256()
    {
        Aegis.Encrypt(_rawKey, _rawNonce, _associatedData, _plaintext, _rawCiphertext);
        return Aegis.Decrypt(_rawKey, _rawNonce, _associatedData, _rawCiphertext, _decrypted);
    }

    [Benchmark(Description = "NSec AEGIS-256, raw, no AD")]
    public bool Raw_Aegis256_NoAssociatedData()
    {
        Aegis.Encrypt(_rawKey, _rawNonce, default, _plaintext, _rawCiphertext);
        return Aegis.Decrypt(_rawKey, _rawNonce, default, _rawCiphertext, _decrypted);
    }

    [Benchmark(Description = "SDK AEGIS-256, span, cached key")]
    public FieldReadStatus Sdk_Aegis256_Span()
    {
        _aegis.TryEncrypt(_field, _plaintext, _envelope, out var written);
        return _aegis.TryDecrypt(_field, _envelope.AsSpan(0, written), _decrypted, out _);
    }

    [Benchmark(Description = "SDK AEGIS-256, string, cached key")]
    public string? Sdk_Aegis256_String()
    {
        // With a cached key both complete synchronously: no Task is allocated, only the envelope and the string.
        var envelope = Completed(_aegis.EncryptValueAsync(_field, _text));
        return Completed(_aegis.DecryptValueAsync<string>(_field, envelope)).Value;
    }

    [Benchmark(Description = ".NET AesGcm, raw")]
    public bool Raw_AesGcm()
    {
        _rawAesGcm.Encrypt(_rawGcmNonce, _plaintext, _rawCiphertext.AsSpan(0, FieldSize), _rawGcmTag, _associatedData);
        _rawAesGcm.Decrypt(_rawGcmNonce, _rawCiphertext.AsSpan(0, FieldSize), _rawGcmTag, _decrypted, _associatedData);
        return true;
    }

    [Benchmark(Description = "SDK AES-256-GCM, span, cached key")]
    public FieldReadStatus Sdk_AesGcm_Span()
    {
        _gcm.TryEncrypt(_field, _plaintext, _envelope, out var written);
        return _gcm.TryDecrypt(_field, _envelope.AsSpan(0, written), _decrypted, out _);
    }

    /// <summary>
    /// A capacity miss: a cache of one key and two subjects read in turn, so every decryption reads the store,
    /// unwraps the key under the KEK, imports it into libsodium and evicts (wipes) the other subject's key.
    /// </summary>
    [Benchmark(OperationsPerInvoke = 2, Description = "SDK AEGIS-256, decrypt, cache miss")]
    public bool Sdk_Aegis256_CacheMiss()
    {
        var a = _missEncryptor.DecryptAsync(_missFieldA, _missEnvelopeA).AsTask().GetAwaiter().GetResult();
        var b = _missEncryptor.DecryptAsync(_missFieldB, _missEnvelopeB).AsTask().GetAwaiter().GetResult();
        return a.IsErased | b.IsErased;
    }

    private static T Completed<T>(ValueTask<T> task) => task.IsCompleted ? task.Result : task.AsTask().GetAwaiter().GetResult();

    private static (ServiceProvider, ISpanFieldEncryptor, ISubjectKeyManager) Build(FieldEncryptionAlgorithm algorithm, int maxCachedKeys = 10_000)
    {
        var services = new ServiceCollection();
        services.AddGdpr(o =>
        {
            o.PseudonymKey = RandomNumberGenerator.GetBytes(32);
            o.Algorithm = algorithm;
            o.KeyCache.MaxEntries = maxCachedKeys;
        }).UseInMemoryStores();
        var provider = services.BuildServiceProvider();
        return (provider, provider.GetRequiredService<ISpanFieldEncryptor>(), provider.GetRequiredService<ISubjectKeyManager>());
    }
}
