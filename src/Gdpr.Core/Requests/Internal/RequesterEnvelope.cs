using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gdpr.Encryption;

namespace Gdpr.Requests;

/// <summary>Seals the requester's contact details and the subject id into one envelope, and opens it.</summary>
internal sealed class RequesterEnvelope(IFieldEncryptor encryptor, RequestKeys keys)
{
    public async ValueTask<byte[]> SealAsync(string requestId, string subjectId, RequesterContact contact, CancellationToken cancellationToken)
    {
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(new Sealed(subjectId, contact.Name, contact.Email, contact.Phone, contact.PostalAddress), RequesterJson.Default.Sealed);
        try
        {
            return await encryptor.EncryptAsync(keys.Requester(requestId), plaintext, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <returns>The subject id and contact, or <see langword="null"/> when the key was destroyed (the accountability period ended).</returns>
    public async ValueTask<(string SubjectId, RequesterContact Contact)?> OpenAsync(DataSubjectRequest request, CancellationToken cancellationToken)
    {
        var value = await encryptor.DecryptAsync(keys.Requester(request.Id), request.EncryptedRequester, cancellationToken).ConfigureAwait(false);
        if (value.IsErased || value.Value is null)
        {
            return null;
        }

        try
        {
            var sealedValue = JsonSerializer.Deserialize(value.Value, RequesterJson.Default.Sealed)
                ?? throw new InvalidOperationException($"Request {request.Id}: the requester envelope holds no details.");
            return (sealedValue.SubjectId, new RequesterContact(sealedValue.Name, sealedValue.Email, sealedValue.Phone, sealedValue.PostalAddress));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(value.Value);
        }
    }

    internal sealed record Sealed(string SubjectId, string? Name, string? Email, string? Phone, string? PostalAddress);
}

/// <summary>Source-generated JSON for the requester envelope (no reflection, trimming-safe).</summary>
[JsonSerializable(typeof(RequesterEnvelope.Sealed))]
internal sealed partial class RequesterJson : JsonSerializerContext;
