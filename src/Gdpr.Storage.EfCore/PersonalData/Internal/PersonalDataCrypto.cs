using Gdpr.Encryption.Internal;
using Gdpr.Keys;
using Microsoft.Extensions.Logging;

namespace Gdpr.Storage.EfCore.Interceptors;

/// <summary>
/// The EF adapter's personal-data services of one application: the row codec and the two paths built on it, the
/// save encryptor and the materializer.
/// </summary>
internal sealed class PersonalDataCrypto
{
    public PersonalDataCrypto(ICachedFieldEncryptor encryptor, ISubjectKeyManager keys, ILogger logger, Gdpr.Search.BlindIndexKeyRing? blindIndexes = null)
    {
        Encryptor = encryptor;
        BlindIndexes = blindIndexes;
        Codec = new PersonalDataRowCodec(encryptor, keys, logger);
        Save = new PersonalDataSaveEncryptor(Codec, encryptor, keys, logger, blindIndexes);
        Materializer = new PersonalDataMaterializer(Codec);
    }

    public ICachedFieldEncryptor Encryptor { get; }

    /// <summary>The blind indexes' root keys; null only in a container without the engine's registrations.</summary>
    public Gdpr.Search.BlindIndexKeyRing? BlindIndexes { get; }

    public PersonalDataRowCodec Codec { get; }

    public PersonalDataSaveEncryptor Save { get; }

    public PersonalDataMaterializer Materializer { get; }
}
