using Gdpr.Audit;
using Gdpr.Requests;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Core.Tests.Requests;

/// <summary>
/// Every transition from every status, allowed or refused (docs/requests.md). A refused one is a typed error naming
/// the request and the rule, changes nothing, and is in the audit trail.
/// </summary>
public sealed class RequestTransitionTests
{
    public enum Transition
    {
        SendCode,
        Verify,
        Start,
        CompleteRight,
        RefuseRight,
        Extend,
        Refuse,
        RecordFee,
    }

    /// <summary>The whole matrix: <see langword="null"/> rule means allowed.</summary>
    public static TheoryData<RequestStatus, Transition, string?> Matrix()
    {
        var data = new TheoryData<RequestStatus, Transition, string?>();
        foreach (var transition in Enum.GetValues<Transition>())
        {
            data.Add(RequestStatus.Received, transition, transition switch
            {
                Transition.Start or Transition.CompleteRight or Transition.RefuseRight => RequestRules.IdentityNotVerified,
                _ => null,
            });
            data.Add(RequestStatus.IdentityPending, transition, transition switch
            {
                Transition.Start or Transition.CompleteRight or Transition.RefuseRight => RequestRules.IdentityNotVerified,
                _ => null,
            });
            data.Add(RequestStatus.Verified, transition, transition switch
            {
                Transition.SendCode or Transition.Verify or Transition.CompleteRight or Transition.RefuseRight => RequestRules.TransitionNotAllowed,
                _ => null,
            });
            data.Add(RequestStatus.InProgress, transition, transition switch
            {
                Transition.SendCode or Transition.Verify or Transition.Start => RequestRules.TransitionNotAllowed,
                _ => null,
            });
            data.Add(RequestStatus.Completed, transition, RequestRules.RequestClosed);
            data.Add(RequestStatus.Refused, transition, RequestRules.RequestClosed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Transition_FromEveryStatus_IsAllowedOrRefusedByItsRule(RequestStatus status, Transition transition, string? rule)
    {
        await using var host = RequestTestHost.Create();
        var request = await host.InStatusAsync(status);
        var auditBefore = (await host.AuditEntriesAsync()).Count;

        if (rule is null)
        {
            var next = await ApplyAsync(host, request.Id, transition);
            Assert.Equal(request.Version + 1, next.Version);
            Assert.Equal(next, await host.Store.GetAsync(request.Id));
            var audit = await host.AuditEntriesAsync();
            Assert.Equal(AuditKinds.RequestTransition, audit[^1].Kind);
            Assert.Equal(request.Id, audit[^1].Details["requestId"]);
        }
        else
        {
            await AssertRefusedAsync(host, request, () => ApplyAsync(host, request.Id, transition), rule);
            Assert.Equal(auditBefore + 1, (await host.AuditEntriesAsync()).Count);
        }
    }

    /// <summary>A second extension is refused (GDPR Art. 12(3): one extension by two further months).</summary>
    [Fact]
    public async Task Extend_Twice_IsRefused_Art12_3()
    {
        await using var host = RequestTestHost.Create();
        var request = await host.InStatusAsync(RequestStatus.InProgress);
        var extended = await host.Requests.ExtendAsync(request.Id, "Many systems to search");

        Assert.Equal(host.Services.GetRequiredService<RequestClock>().GetDeadline(request.ReceivedAt).ExtendedDue, extended.Due);
        Assert.Equal(request.OriginalDue, extended.OriginalDue);
        Assert.Equal("Many systems to search", extended.Extension!.Reasons);
        Assert.Equal(host.Time.GetUtcNow(), extended.Extension.NoticeRecordedAt);
        await AssertRefusedAsync(host, extended, () => host.Requests.ExtendAsync(request.Id, "Still busy").AsTask(), RequestRules.ExtensionOnce);
    }

    /// <summary>An extension told after the first month is refused (Art. 12(3)); on the last day it is still allowed.</summary>
    [Fact]
    public async Task Extend_AfterFirstMonth_IsRefused_Art12_3()
    {
        await using var host = RequestTestHost.Create();
        var request = await host.InStatusAsync(RequestStatus.InProgress);
        var other = await host.InStatusAsync(RequestStatus.InProgress);

        // Received Mon 2 Mar 2026, due Thu 2 Apr 2026: 23:59 that day in Amsterdam (CEST) is in time, midnight is not.
        Assert.Equal(new DateOnly(2026, 4, 2), request.Due);
        host.Time.SetUtcNow(new DateTimeOffset(2026, 4, 2, 21, 59, 0, TimeSpan.Zero));
        Assert.NotNull((await host.Requests.ExtendAsync(other.Id, "Complex")).Extension);
        host.Time.SetUtcNow(new DateTimeOffset(2026, 4, 2, 22, 0, 0, TimeSpan.Zero));

        await AssertRefusedAsync(host, request, () => host.Requests.ExtendAsync(request.Id, "Complex").AsTask(), RequestRules.ExtensionWithinFirstMonth);
    }

    /// <summary>An extension without reasons is refused (Art. 12(3): together with the reasons for the delay).</summary>
    [Fact]
    public async Task Extend_WithoutReasons_IsRefused_Art12_3()
    {
        await using var host = RequestTestHost.Create();
        var request = await host.InStatusAsync(RequestStatus.Verified);

        await AssertRefusedAsync(host, request, () => host.Requests.ExtendAsync(request.Id, " ").AsTask(), RequestRules.ExtensionNeedsReasons);
    }

    /// <summary>A refusal needs a reason and the notice of the right to complain and to a judicial remedy (Art. 12(4), 12(5)).</summary>
    [Fact]
    public async Task Refuse_WithoutReasonOrComplaintNotice_IsRefused_Art12_4_Art12_5()
    {
        await using var host = RequestTestHost.Create();
        var request = await host.InStatusAsync(RequestStatus.Received);

        await AssertRefusedAsync(host, request, () => host.Requests.RefuseAsync(request.Id, RefusalGround.ManifestlyUnfounded, "", true).AsTask(), RequestRules.RefusalNeedsReason);
        await AssertRefusedAsync(host, request, () => host.Requests.RefuseAsync(request.Id, RefusalGround.ManifestlyUnfounded, "threatens staff", false).AsTask(), RequestRules.RefusalNeedsComplaintNotice);

        var refused = await host.Requests.RefuseAsync(request.Id, RefusalGround.ManifestlyUnfounded, "threatens staff", true);
        Assert.Equal(RequestStatus.Refused, refused.Status);
        Assert.Equal(RequestOutcome.Refused, refused.Outcome);
        Assert.All(refused.Rights, r => Assert.Equal(RightStatus.Refused, r.Status));
        Assert.Equal(new RequestRefusal(RefusalGround.ManifestlyUnfounded, "threatens staff", host.Time.GetUtcNow()), refused.Refusal);
    }

    /// <summary>A refusal told after the first month is refused (Art. 12(4): within one month of receipt), even after an extension.</summary>
    [Fact]
    public async Task Refuse_AfterFirstMonth_IsRefused_Art12_4()
    {
        await using var host = RequestTestHost.Create();
        var request = await host.InStatusAsync(RequestStatus.InProgress);
        request = await host.Requests.ExtendAsync(request.Id, "Complex");
        host.Time.Advance(TimeSpan.FromDays(40));

        await AssertRefusedAsync(host, request, () => host.Requests.RefuseAsync(request.Id, RefusalGround.Excessive, "repetitive", true).AsTask(), RequestRules.RefusalWithinFirstMonth);
    }

    /// <summary>An objection to direct marketing cannot be refused (Art. 21(3)); another objection can, with a reason.</summary>
    [Fact]
    public async Task RefuseRight_ObjectionToDirectMarketing_IsRefused_Art21_3()
    {
        await using var host = RequestTestHost.Create();
        var request = await host.SubmitAsync(
            new RequestedRight(DataSubjectRight.Objection, RequestedRight.DirectMarketingPurpose),
            new RequestedRight(DataSubjectRight.Objection, "profiling"));
        request = await host.Requests.VerifyIdentityAsync(request.Id, new AgentAttestationEvidence("agent-7", "known caller"));
        request = await host.Requests.StartAsync(request.Id);

        await AssertRefusedAsync(
            host, request,
            () => host.Requests.RefuseRightAsync(request.Id, DataSubjectRight.Objection, RequestedRight.DirectMarketingPurpose, "compelling grounds").AsTask(),
            RequestRules.DirectMarketingObjectionAbsolute);
        await AssertRefusedAsync(
            host, request,
            () => host.Requests.RefuseRightAsync(request.Id, DataSubjectRight.Objection, "profiling", "").AsTask(),
            RequestRules.RefusalNeedsReason);

        request = await host.Requests.RefuseRightAsync(request.Id, DataSubjectRight.Objection, "profiling", "compelling legitimate grounds (Art. 21(1))");
        request = await host.Requests.CompleteRightAsync(request.Id, DataSubjectRight.Objection, RequestedRight.DirectMarketingPurpose);

        Assert.Equal(RequestStatus.Completed, request.Status);
        Assert.Equal(RequestOutcome.PartlyCompleted, request.Outcome);
    }

    /// <summary>A right not asked for, or already closed, cannot be closed.</summary>
    [Fact]
    public async Task CompleteRight_NotAskedOrClosed_IsRefused()
    {
        await using var host = RequestTestHost.Create();
        var request = await host.InStatusAsync(RequestStatus.InProgress);

        await AssertRefusedAsync(host, request, () => host.Requests.CompleteRightAsync(request.Id, DataSubjectRight.Portability).AsTask(), RequestRules.RightNotOpen);
        request = await host.Requests.CompleteRightAsync(request.Id, DataSubjectRight.Access, reference: "export-1");
        Assert.Equal(RequestStatus.InProgress, request.Status);
        Assert.Equal(RightStatus.Completed, request.Rights[0].Status);
        Assert.Equal("export-1", request.Rights[0].Reference);
        await AssertRefusedAsync(host, request, () => host.Requests.CompleteRightAsync(request.Id, DataSubjectRight.Access).AsTask(), RequestRules.RightNotOpen);
    }

    /// <summary>The request's outcome follows from its rights: all refused is a refused request.</summary>
    [Fact]
    public async Task RefuseRight_AllRights_RefusesTheRequest()
    {
        await using var host = RequestTestHost.Create();
        var request = await host.InStatusAsync(RequestStatus.InProgress);
        await host.Requests.RefuseRightAsync(request.Id, DataSubjectRight.Access, null, "Art. 15(4): the data is another person's");
        request = await host.Requests.RefuseRightAsync(request.Id, DataSubjectRight.Erasure, null, "Art. 17(3)(b): fiscal retention");

        Assert.Equal(RequestStatus.Refused, request.Status);
        Assert.Equal(RequestOutcome.Refused, request.Outcome);
        Assert.Equal(host.Time.GetUtcNow(), request.ClosedAt);
    }

    /// <summary>Every right completed completes the request.</summary>
    [Fact]
    public async Task CompleteRight_AllRights_CompletesTheRequest()
    {
        await using var host = RequestTestHost.Create();
        var request = await host.InStatusAsync(RequestStatus.Completed);

        Assert.Equal(RequestOutcome.Completed, request.Outcome);
        Assert.Equal(["export-1", "certificate-1"], request.Rights.Select(r => r.Reference));
    }

    /// <summary>Free of charge: a fee only on the grounds of Art. 12(5)(a) and 15(3), once, more than zero; recorded with its ground.</summary>
    [Fact]
    public async Task RecordFee_OnlyOnAllowedGrounds_Art12_5_Art15_3()
    {
        await using var host = RequestTestHost.Create();
        var erasureOnly = await host.SubmitAsync(new RequestedRight(DataSubjectRight.Erasure));
        await AssertRefusedAsync(host, erasureOnly, () => host.Requests.RecordFeeAsync(erasureOnly.Id, 5m, "EUR", FeeGround.FurtherCopies).AsTask(), RequestRules.FeeNotAllowed);

        var access = await host.SubmitAsync(new RequestedRight(DataSubjectRight.Access));
        await AssertRefusedAsync(host, access, () => host.Requests.RecordFeeAsync(access.Id, 0m, "EUR", FeeGround.FurtherCopies).AsTask(), RequestRules.FeeNotAllowed);
        await AssertRefusedAsync(host, access, () => host.Requests.RecordFeeAsync(access.Id, 5m, "EUR", (FeeGround)99).AsTask(), RequestRules.FeeNotAllowed);
        access = await host.Requests.RecordFeeAsync(access.Id, 5m, "EUR", FeeGround.FurtherCopies);
        Assert.Equal(new RequestFee(5m, "EUR", FeeGround.FurtherCopies, host.Time.GetUtcNow()), access.Fee);
        await AssertRefusedAsync(host, access, () => host.Requests.RecordFeeAsync(access.Id, 5m, "EUR", FeeGround.ManifestlyUnfoundedOrExcessive).AsTask(), RequestRules.FeeNotAllowed);
    }

    /// <summary>An unknown request id is a typed error naming it, and the attempt is audited.</summary>
    [Fact]
    public async Task AnyTransition_UnknownId_IsNotFoundAndAudited()
    {
        await using var host = RequestTestHost.Create();

        var error = await Assert.ThrowsAsync<DataSubjectRequestNotFoundException>(() => host.Requests.ExtendAsync("dsr-unknown", "Complex").AsTask());

        Assert.Equal("dsr-unknown", error.RequestId);
        Assert.Contains("dsr-unknown", error.Message, StringComparison.Ordinal);
        var entry = Assert.Single(await host.AuditEntriesAsync());
        Assert.Equal(AuditKinds.RequestTransitionRefused, entry.Kind);
        Assert.Equal(RequestRules.UnknownRequest, entry.Details["rule"]);
        Assert.Equal("dsr-unknown", entry.Details["requestId"]);
    }

    internal static async Task AssertRefusedAsync(RequestTestHost host, DataSubjectRequest request, Func<Task> act, string rule)
    {
        var before = await host.Store.GetAsync(request.Id);
        var auditBefore = (await host.AuditEntriesAsync()).Count;

        var error = await Assert.ThrowsAsync<RequestTransitionRefusedException>(act);

        Assert.Equal(request.Id, error.RequestId);
        Assert.Equal(rule, error.Rule);
        Assert.Contains(request.Id, error.Message, StringComparison.Ordinal);
        Assert.Contains(rule, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await host.Store.GetAsync(request.Id));
        var audit = await host.AuditEntriesAsync();
        Assert.Equal(auditBefore + 1, audit.Count);
        Assert.Equal(AuditKinds.RequestTransitionRefused, audit[^1].Kind);
        Assert.Equal(rule, audit[^1].Details["rule"]);
        Assert.Equal(request.Id, audit[^1].Details["requestId"]);
    }

    private static async Task<DataSubjectRequest> ApplyAsync(RequestTestHost host, string id, Transition transition) => transition switch
    {
        Transition.SendCode => await host.Requests.SendIdentityCodeAsync(id, OneTimeCodeDestination.Email),
        Transition.Verify => await host.Requests.VerifyIdentityAsync(id, new AgentAttestationEvidence("agent-7", "known caller")),
        Transition.Start => await host.Requests.StartAsync(id),
        Transition.CompleteRight => await host.Requests.CompleteRightAsync(id, DataSubjectRight.Access, reference: "export-1"),
        Transition.RefuseRight => await host.Requests.RefuseRightAsync(id, DataSubjectRight.Erasure, null, "Art. 17(3)(b)"),
        Transition.Extend => await host.Requests.ExtendAsync(id, "Complex request"),
        Transition.Refuse => await host.Requests.RefuseAsync(id, RefusalGround.Excessive, "repetitive", subjectToldOfComplaintAndRemedy: true),
        Transition.RecordFee => await host.Requests.RecordFeeAsync(id, 5m, "EUR", FeeGround.FurtherCopies),
        _ => throw new ArgumentOutOfRangeException(nameof(transition)),
    };
}
