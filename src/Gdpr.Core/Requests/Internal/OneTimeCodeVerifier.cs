using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gdpr.Encryption;
using Gdpr.Internal;
using Microsoft.Extensions.Options;

namespace Gdpr.Requests;

/// <summary>
/// The built-in one-time code (GDPR Art. 12(6)): a uniform random code from the system CSPRNG, kept only encrypted
/// under the request's own key, accepted until its time limit and for a limited number of wrong attempts, and
/// compared in constant time. Neither the code nor what was entered ever reaches a log or an exception.
/// </summary>
internal sealed class OneTimeCodeVerifier(IFieldEncryptor encryptor, RequestKeys keys, IOptions<RequestOptions> options, TimeProvider time) : IIdentityVerifier
{
    public const string MethodName = "one-time-code";

    private readonly RequestOptions _options = options.Value;

    public string Method => MethodName;

    public bool CanVerify(IdentityEvidence evidence) => evidence is OneTimeCodeEvidence;

    /// <summary>Draws a new code and its challenge; the caller stores the challenge before sending the code.</summary>
    public async ValueTask<(string Code, IdentityChallenge Challenge)> IssueAsync(DataSubjectRequest request, CancellationToken cancellationToken)
    {
        var codesIssued = request.IdentityChallenge?.CodesIssued ?? 0;
        if (codesIssued >= _options.OneTimeCodesPerRequest)
        {
            throw RequestStateMachine.Refused(request, RequestStateMachine.IssueCode, RequestRules.TooManyCodesIssued);
        }

        // GetInt32 draws uniformly (rejection sampling), so every code of the length is equally likely.
        var upper = (int)Math.Pow(10, _options.OneTimeCodeLength);
        var code = RandomNumberGenerator.GetInt32(0, upper).ToString("D" + _options.OneTimeCodeLength.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var bytes = StrictUtf8.Encoding.GetBytes(code);
        try
        {
            var envelope = await encryptor.EncryptAsync(keys.IdentityCode(request.Id), bytes, cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            return (code, new IdentityChallenge(envelope, now, now + _options.OneTimeCodeLifetime, FailedAttempts: 0, codesIssued + 1));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public async ValueTask<IdentityCheck> VerifyAsync(DataSubjectRequest request, IdentityEvidence evidence, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (evidence is not OneTimeCodeEvidence entered || request.IdentityChallenge is not { } challenge)
        {
            return new IdentityCheck(Method, IdentityFailure.NotApplicable);
        }

        // Locked and expired are checked first: past the limit even the right code is refused.
        if (challenge.FailedAttempts >= _options.OneTimeCodeMaxAttempts)
        {
            return new IdentityCheck(Method, IdentityFailure.TooManyAttempts);
        }

        if (time.GetUtcNow() > challenge.ExpiresAt)
        {
            return new IdentityCheck(Method, IdentityFailure.Expired);
        }

        var stored = await encryptor.DecryptAsync(keys.IdentityCode(request.Id), challenge.EncryptedCode, cancellationToken).ConfigureAwait(false);
        if (stored.IsErased || stored.Value is null)
        {
            return new IdentityCheck(Method, IdentityFailure.Expired);
        }

        // Text with no UTF-8 form (a lone surrogate) is no code at all: a wrong attempt, counted like any other.
        var given = StrictBytesOrNull(entered.Code ?? string.Empty);
        try
        {
            if (given is not null && CryptographicOperations.FixedTimeEquals(given, stored.Value))
            {
                return new IdentityCheck(Method, Failure: null);
            }

            return new IdentityCheck(Method, IdentityFailure.WrongCode, challenge with { FailedAttempts = challenge.FailedAttempts + 1 });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(given);
            CryptographicOperations.ZeroMemory(stored.Value);
        }
    }

    private static byte[]? StrictBytesOrNull(string text)
    {
        try
        {
            return StrictUtf8.Encoding.GetBytes(text);
        }
        catch (EncoderFallbackException)
        {
            return null;
        }
    }
}
