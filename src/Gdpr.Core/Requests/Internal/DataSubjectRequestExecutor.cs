using System.Globalization;
using Gdpr.Audit;
using Gdpr.Erasure;
using Gdpr.Export;
using Microsoft.Extensions.Options;

namespace Gdpr.Requests;

/// <inheritdoc cref="IDataSubjectRequestExecutor"/>
internal sealed class DataSubjectRequestExecutor(
    DataSubjectRequestService requests,
    RequesterEnvelope requester,
    IPersonalDataExporter exporter,
    IErasureService erasure,
    ErasureService scopedErasure,
    IAuditTrail audit,
    IOptions<RequestOptions> options,
    TimeProvider time) : IDataSubjectRequestExecutor
{
    public const string Transition = "execute-right";

    public async ValueTask<DataSubjectRequest> ExecuteAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var request = await requests.LoadAsync(requestId, Transition, cancellationToken).ConfigureAwait(false);

        // Exports before the erasure, so that access and erasure asked together export what there was.
        var due = request.Rights
            .Where(r => r.Status == RightStatus.Open && Order(r) < int.MaxValue)
            .OrderBy(Order)
            .ToList();
        if (due.Count == 0)
        {
            return request;
        }

        // Everything that can refuse is checked before anything runs: an erasure must not run for an unverified request.
        await EnsureExecutableAsync(request, due, cancellationToken).ConfigureAwait(false);
        var subjectId = (await requester.OpenAsync(request, cancellationToken).ConfigureAwait(false))?.SubjectId
            ?? throw new InvalidOperationException($"Request {request.Id}: the requester's details are destroyed, so the subject is unknown; nothing was executed.");

        foreach (var right in due)
        {
            var (reference, details) = right.Right switch
            {
                DataSubjectRight.Access => await ExportAsync(request, subjectId, ExportKind.Access, cancellationToken).ConfigureAwait(false),
                DataSubjectRight.Portability => await ExportAsync(request, subjectId, ExportKind.Portability, cancellationToken).ConfigureAwait(false),
                DataSubjectRight.Erasure => await EraseAsync(request, subjectId, cancellationToken).ConfigureAwait(false),
                _ => await DestroyDirectMarketingAsync(request, subjectId, cancellationToken).ConfigureAwait(false),
            };
            details["requestId"] = request.Id;
            details["right"] = right.Right.ToString();
            details["reference"] = reference;
            if (right.Purpose is not null)
            {
                details["purpose"] = right.Purpose;
            }

            await audit.AppendAsync([new AuditEvent(AuditKinds.RequestRightExecuted, request.Subject, details)], cancellationToken).ConfigureAwait(false);
            request = await requests.CompleteRightAsync(request.Id, right.Right, right.Purpose, reference, cancellationToken).ConfigureAwait(false);
        }

        return request;
    }

    private static int Order(RequestedRight right) => right switch
    {
        { Right: DataSubjectRight.Access } => 0,
        { Right: DataSubjectRight.Portability } => 1,
        { Right: DataSubjectRight.Erasure } => 2,
        { IsObjectionToDirectMarketing: true } => 3,
        _ => int.MaxValue, // rectification, restriction, other objections, withdrawal of consent: the caller's
    };

    private async ValueTask EnsureExecutableAsync(DataSubjectRequest request, List<RequestedRight> due, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        string? rule = null;
        foreach (var right in due)
        {
            try
            {
                // The state machine's own judgement of completing it now (pure: nothing is stored).
                _ = RequestStateMachine.RightClosed(request, right.Right, right.Purpose, completed: true, Transition, now);
            }
            catch (RequestTransitionRefusedException refused)
            {
                rule = refused.Rule;
                break;
            }
        }

        if (rule is null && due.Any(r => r.IsObjectionToDirectMarketing) && string.IsNullOrWhiteSpace(options.Value.DirectMarketingScope))
        {
            rule = RequestRules.DirectMarketingScopeNotConfigured;
        }

        if (rule is not null)
        {
            throw await RefuseAsync(request, rule, cancellationToken).ConfigureAwait(false);
        }

        if (due.Any(r => r.Right != DataSubjectRight.Objection) && string.IsNullOrWhiteSpace(options.Value.PackageDirectory))
        {
            throw new InvalidOperationException($"Request {request.Id}: RequestOptions.PackageDirectory is not set, so export packages and erasure certificates have nowhere to go; nothing was executed.");
        }
    }

    private async ValueTask<RequestTransitionRefusedException> RefuseAsync(DataSubjectRequest request, string rule, CancellationToken cancellationToken)
    {
        var refused = RequestStateMachine.Refused(request, Transition, rule);
        await requests.RecordRefusedAsync(request, refused, cancellationToken).ConfigureAwait(false);
        return refused;
    }

    private async ValueTask<(string, Dictionary<string, string>)> ExportAsync(DataSubjectRequest request, string subjectId, ExportKind kind, CancellationToken cancellationToken)
    {
        var name = $"{request.Id}-{(kind == ExportKind.Access ? "access" : "portability")}.zip";
        var summary = await exporter.ExportToFileAsync(subjectId, PackagePath(name), ExportFormat.Zip, kind, cancellationToken).ConfigureAwait(false);
        return (name, new()
        {
            ["values"] = Number(summary.ValueCount),
            ["erasedValues"] = Number(summary.ErasedCount),
            ["files"] = Number(summary.FileCount),
        });
    }

    private async ValueTask<(string, Dictionary<string, string>)> EraseAsync(DataSubjectRequest request, string subjectId, CancellationToken cancellationToken)
    {
        var result = await erasure.EraseAsync(subjectId, cancellationToken).ConfigureAwait(false);
        if (result.Certificate is not { } certificate)
        {
            throw await RefuseAsync(request, RequestRules.ErasureIncomplete, cancellationToken).ConfigureAwait(false);
        }

        var name = $"{request.Id}-erasure-certificate.json";
        var path = PackagePath(name);
        await File.WriteAllBytesAsync(path + ".sig", certificate.Signature, cancellationToken).ConfigureAwait(false);
        await File.WriteAllBytesAsync(path, certificate.Json, cancellationToken).ConfigureAwait(false);
        return (name, ErasureDetails(result));
    }

    private async ValueTask<(string, Dictionary<string, string>)> DestroyDirectMarketingAsync(DataSubjectRequest request, string subjectId, CancellationToken cancellationToken)
    {
        var scope = options.Value.DirectMarketingScope!;
        var result = await scopedErasure.EraseScopesAsync(subjectId, new HashSet<string>(StringComparer.Ordinal) { scope }, cancellationToken).ConfigureAwait(false);

        // No key and no tombstone: the subject never had direct-marketing data, and there is nothing to stop.
        var outcome = result.Scopes.FirstOrDefault(s => string.Equals(s.Scope, scope, StringComparison.Ordinal));
        if (outcome is not (null or { Status: ScopeErasureStatus.Destroyed }) || !result.Sources.All(s => s.Succeeded))
        {
            throw await RefuseAsync(request, RequestRules.DirectMarketingScopeNotDestroyed, cancellationToken).ConfigureAwait(false);
        }

        // The erasure's audit entry is the evidence: no certificate is issued for some scopes of a subject.
        return ($"audit:{Number(result.AuditSequence)}", ErasureDetails(result));
    }

    private string PackagePath(string name)
    {
        var directory = options.Value.PackageDirectory!;
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, name);
    }

    private static Dictionary<string, string> ErasureDetails(ErasureResult result) => new()
    {
        ["erasureOutcome"] = result.Outcome.ToString(),
        ["erasureAuditSequence"] = Number(result.AuditSequence),
        ["destroyed"] = string.Join(',', result.Scopes.Where(s => s.Status == ScopeErasureStatus.Destroyed).Select(s => s.Scope)),
    };

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
