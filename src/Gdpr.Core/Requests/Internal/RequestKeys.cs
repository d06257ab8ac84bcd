using Gdpr.Encryption;
using Microsoft.Extensions.Options;

namespace Gdpr.Requests;

/// <summary>
/// Where a request's own secrets are encrypted: under a key subject of the request's own (<c>gdpr-request:{id}</c>)
/// in the requests retention scope. So the subject's erasure, which the request may record, does not destroy the
/// record of it, and the retention sweeper destroys the requester's details when the accountability period ends.
/// </summary>
internal sealed class RequestKeys(IOptions<RequestOptions> options)
{
    public const string SubjectPrefix = "gdpr-request:";
    public const string RequesterField = "DataSubjectRequest.Requester";
    public const string IdentityCodeField = "DataSubjectRequest.IdentityCode";

    private readonly string _scope = options.Value.RetentionPolicy;

    public static string KeySubject(string requestId) => SubjectPrefix + requestId;

    public FieldAddress Requester(string requestId) => new(KeySubject(requestId), _scope, RequesterField);

    public FieldAddress IdentityCode(string requestId) => new(KeySubject(requestId), _scope, IdentityCodeField);
}
