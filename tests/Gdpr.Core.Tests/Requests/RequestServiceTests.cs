using System.Text;
using Gdpr.Core.Tests.DependencyInjection;
using Gdpr.Core.Tests.TestSupport;
using Gdpr.Erasure;
using Gdpr.Keys;
using Gdpr.Requests;
using Gdpr.Retention;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using System.Diagnostics.Metrics;

namespace Gdpr.Core.Tests.Requests;

/// <summary>Intake, what the store keeps, accountability after erasure, queries, metrics and set-up.</summary>
public sealed class RequestServiceTests
{
    /// <summary>Intake records channel, agent, on-behalf and receipt in the controller's time zone (Art. 12(2), 12(3)).</summary>
    [Fact]
    public async Task Submit_RecordsIntakeAndTheClock_Art12_3()
    {
        await using var host = RequestTestHost.Create();
        var receivedAt = new DateTimeOffset(2026, 3, 26, 23, 30, 0, TimeSpan.Zero); // Fri 27 Mar 00:30 in Amsterdam

        var request = await host.Requests.SubmitAsync(RequestTestHost.Intake() with { ReceivedAt = receivedAt, Channel = IntakeChannel.Phone, OnBehalfOfSubject = true });

        Assert.Equal(receivedAt, request.ReceivedAt);
        Assert.Equal(new DateOnly(2026, 3, 27), request.ReceivedOn);
        Assert.Equal(new DateOnly(2026, 4, 28), request.Due); // Koningsdag on Mon 27 Apr
        Assert.Equal(request.Due, request.OriginalDue);
        Assert.Equal(new DateOnly(2026, 4, 21), request.InternalTarget);
        Assert.Equal("Europe/Amsterdam", request.TimeZoneId);
        Assert.Equal(IntakeChannel.Phone, request.Channel);
        Assert.Equal("agent-7", request.AgentId);
        Assert.True(request.OnBehalfOfSubject);
        Assert.Equal(host.Services.GetRequiredService<ISubjectKeyManager>().GetPseudonym(RequestTestHost.SubjectId), request.Subject);
        Assert.Equal(RequestStatus.Received, request.Status);
        Assert.Equal(request, await host.Requests.GetAsync(request.Id));
    }

    /// <summary>No contact detail and no subject id is in the stored record, the audit trail or the logs; the service decrypts them.</summary>
    [Fact]
    public async Task Submit_KeepsRequesterOnlyEncrypted()
    {
        await using var host = RequestTestHost.Create();
        var request = await host.SubmitAsync();
        var stored = (await host.Store.GetAsync(request.Id))!;
        var personal = new[] { RequestTestHost.SubjectId, RequestTestHost.Requester.Name!, RequestTestHost.Requester.Email!, RequestTestHost.Requester.Phone!, RequestTestHost.Requester.PostalAddress! };

        foreach (var value in personal)
        {
            Assert.Equal(-1, stored.EncryptedRequester.Span.IndexOf(Encoding.UTF8.GetBytes(value)));
            Assert.DoesNotContain(value, stored.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(value, RequestTestHost.Intake().ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(value, RequestTestHost.Requester.ToString(), StringComparison.Ordinal);
            Assert.All(await host.AuditEntriesAsync(), e => Assert.DoesNotContain(value, e.ToString(), StringComparison.Ordinal));
            Assert.All(host.Host.AllLogText(), t => Assert.DoesNotContain(value, t, StringComparison.Ordinal));
        }

        Assert.Equal(RequestTestHost.Requester, await host.Requests.GetRequesterAsync(request.Id));
    }

    /// <summary>The subject's erasure does not destroy the record of the request (its key is the request's own), and closing schedules the record's own retention (Art. 5(2), 17).</summary>
    [Fact]
    public async Task SubjectErased_RequestRecordSurvives_AndItsRetentionCountsFromClosing_Art17()
    {
        await using var host = RequestTestHost.Create();
        var request = await host.InStatusAsync(RequestStatus.InProgress);
        var encryptor = host.Services.GetRequiredService<Gdpr.Encryption.IFieldEncryptor>();
        await encryptor.EncryptValueAsync(new Gdpr.Encryption.FieldAddress(RequestTestHost.SubjectId, RequestOptions.DefaultRetentionPolicy, "Customer.Email"), "jan.jansen@example.org");

        var erasure = await host.Services.GetRequiredService<IErasureService>().EraseAsync(RequestTestHost.SubjectId);
        Assert.Contains(erasure.Scopes, s => s.Scope == RequestOptions.DefaultRetentionPolicy);
        await host.Requests.CompleteRightAsync(request.Id, DataSubjectRight.Access, reference: "export-1");
        var closed = await host.Requests.CompleteRightAsync(request.Id, DataSubjectRight.Erasure, reference: "certificate-1");

        Assert.Equal(RequestTestHost.Requester, await host.Requests.GetRequesterAsync(request.Id));
        var keySubject = host.Services.GetRequiredService<ISubjectKeyManager>().GetPseudonym("gdpr-request:" + request.Id);
        var entry = await host.Services.GetRequiredService<IRetentionScheduleStore>().GetAsync(keySubject, RequestOptions.DefaultRetentionPolicy);
        Assert.Equal(closed.ClosedAt!.Value.AddYears(5), entry!.DestroyAfter);
    }

    /// <summary>Open, due within N days and overdue, in the controller's dates.</summary>
    [Fact]
    public async Task Lists_OpenDueSoonAndOverdue()
    {
        await using var host = RequestTestHost.Create();
        var first = await host.SubmitAsync(); // Mon 2 Mar -> due Thu 2 Apr
        host.Time.Advance(TimeSpan.FromDays(7));
        var second = await host.SubmitAsync(); // Mon 9 Mar -> due Thu 9 Apr
        var done = await host.InStatusAsync(RequestStatus.Completed);

        host.Time.SetUtcNow(new DateTimeOffset(2026, 3, 31, 8, 0, 0, TimeSpan.Zero));
        Assert.Equal([first.Id, second.Id], (await host.Requests.ListOpenAsync()).Select(r => r.Id));
        Assert.Equal([first.Id], (await host.Requests.ListDueWithinAsync(2)).Select(r => r.Id));
        Assert.Empty(await host.Requests.ListOverdueAsync());

        host.Time.SetUtcNow(new DateTimeOffset(2026, 4, 3, 8, 0, 0, TimeSpan.Zero));
        Assert.Equal([first.Id], (await host.Requests.ListOverdueAsync()).Select(r => r.Id));
        Assert.Equal([done.Id], (await host.Requests.QueryAsync(new DataSubjectRequestQuery(Status: RequestStatus.Completed))).Select(r => r.Id));
        Assert.Equal(3, (await host.Requests.QueryAsync(new DataSubjectRequestQuery(Right: DataSubjectRight.Access))).Count);
    }

    /// <summary>gdpr.requests.received, .closed (within_deadline), .open and .overdue.</summary>
    [Fact]
    public async Task Metrics_CountReceivedClosedOpenAndOverdue()
    {
        await using var host = RequestTestHost.Create();
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        using var received = new MetricCollector<long>(factory, "Gdpr", "gdpr.requests.received");
        using var closed = new MetricCollector<long>(factory, "Gdpr", "gdpr.requests.closed");
        using var open = new MetricCollector<long>(factory, "Gdpr", "gdpr.requests.open");
        using var overdue = new MetricCollector<long>(factory, "Gdpr", "gdpr.requests.overdue");

        await host.InStatusAsync(RequestStatus.Completed);
        var late = await host.InStatusAsync(RequestStatus.InProgress);
        await host.SubmitAsync();
        host.Time.Advance(TimeSpan.FromDays(40));
        await host.Requests.CompleteRightAsync(late.Id, DataSubjectRight.Access);
        await host.Requests.CompleteRightAsync(late.Id, DataSubjectRight.Erasure);
        await host.Requests.RefreshMetricsAsync();
        open.RecordObservableInstruments();
        overdue.RecordObservableInstruments();

        Assert.Equal(3, received.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal([true, false], closed.GetMeasurementSnapshot().Select(m => (bool)m.Tags["within_deadline"]!));
        Assert.All(closed.GetMeasurementSnapshot(), m => Assert.Equal("Completed", m.Tags["outcome"]));
        Assert.Equal(1, open.LastMeasurement!.Value);
        Assert.Equal(1, overdue.LastMeasurement!.Value);
    }

    /// <summary>The time zone and the holiday calendar have no default: without them the options fail, saying which.</summary>
    [Fact]
    public async Task Options_WithoutTimeZoneOrCalendar_FailNamingThem()
    {
        await using var host = RequestTestHost.Create(configure: o =>
        {
            o.TimeZone = null;
            o.HolidayCalendar = null;
        });

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<RequestOptions>>().Value);

        Assert.Contains("RequestOptions.TimeZone is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("RequestOptions.HolidayCalendar is required", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The requests retention policy must exist and count from the request's closing.</summary>
    [Fact]
    public async Task Options_RetentionPolicyMissing_Fails()
    {
        await using var host = RequestTestHost.Create(configure: o => o.RetentionPolicy = "accountability");

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<RequestOptions>>().Value);

        Assert.Contains("RequestOptions.RetentionPolicy 'accountability' is not configured", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The direct-marketing scope an objection destroys (Art. 21(3)) must be a configured policy: a typo would destroy nothing.</summary>
    [Fact]
    public async Task Options_DirectMarketingScopeNotAPolicy_Fails_Art21_3()
    {
        await using var host = RequestTestHost.Create(configure: o => o.DirectMarketingScope = "marketting");

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<RequestOptions>>().Value);

        Assert.Contains("RequestOptions.DirectMarketingScope 'marketting' names no configured retention policy", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The in-memory request store stops the host without UseInMemoryStores, naming itself.</summary>
    [Fact]
    public async Task HostStart_InMemoryRequestStoreWithoutOptIn_Fails()
    {
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddGdpr(o => o.PseudonymKey = GdprTestHost.PseudonymKey)
            .AddRetentionPolicy(new RetentionPolicy { Name = "requests", Years = 5, Clock = RetentionClock.RelationshipEnd })
            .AddDataSubjectRequests(o =>
            {
                o.TimeZone = RequestTestHost.Amsterdam;
                o.HolidayCalendar = new DutchHolidayCalendar();
            });
        await using var provider = collection.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<InMemoryStoresNotAllowedException>(() => InMemoryStoresTests.StartLikeAHostAsync(provider));

        Assert.Contains(error.Components, c => c.StartsWith("data-subject request store (", StringComparison.Ordinal));
    }
}
