using Gdpr.Audit;
using Gdpr.Core.Tests.TestSupport;
using Gdpr.Requests;
using Gdpr.Retention;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gdpr.Core.Tests.Requests;

/// <summary>
/// A real Gdpr host with the request workflow on the Dutch calendar in Europe/Amsterdam, a fake clock, a code sender
/// that keeps what it was given, and a requests retention policy.
/// </summary>
internal sealed class RequestTestHost : IAsyncDisposable
{
    public const string SubjectId = "C-1001";

    public static readonly RequesterContact Requester = new("Jan Jansen", "jan.jansen@example.org", "+31 6 1234 5678", "Dorpsstraat 1, 1234 AB Ergens");

    private RequestTestHost(GdprTestHost host, CapturingCodeSender sender)
    {
        Host = host;
        Sender = sender;
    }

    public GdprTestHost Host { get; }

    public CapturingCodeSender Sender { get; }

    public FakeTimeProvider Time => Host.Time;

    public IServiceProvider Services => Host.Services;

    public IDataSubjectRequestService Requests => Services.GetRequiredService<IDataSubjectRequestService>();

    public IDataSubjectRequestStore Store => Services.GetRequiredService<IDataSubjectRequestStore>();

    public IAuditTrail Audit => Services.GetRequiredService<IAuditTrail>();

    public static TimeZoneInfo Amsterdam { get; } = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");

    /// <summary>Starts the host at <paramref name="now"/> (default: Monday 2 March 2026, 09:00 in Amsterdam).</summary>
    public static RequestTestHost Create(DateTimeOffset? now = null, Action<RequestOptions>? configure = null, FakeTimeProvider? time = null)
    {
        time ??= new FakeTimeProvider(now ?? new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero));
        var sender = new CapturingCodeSender();
        var host = GdprTestHost.Create(
            time: time,
            services: s =>
            {
                s.AddMetrics();
                s.AddSingleton<IOneTimeCodeSender>(sender);
            },
            gdpr: b => b
                .AddRetentionPolicy(new RetentionPolicy
                {
                    Name = RequestOptions.DefaultRetentionPolicy, Years = 5, Clock = RetentionClock.RelationshipEnd,
                    LegalBasis = "Accountability (Art. 5(2))",
                })
                .AddDataSubjectRequests(o =>
                {
                    o.TimeZone = Amsterdam;
                    o.HolidayCalendar = new DutchHolidayCalendar();
                    configure?.Invoke(o);
                }));
        return new RequestTestHost(host, sender);
    }

    public static DataSubjectRequestIntake Intake(params RequestedRight[] rights)
        => new(SubjectId, rights.Length == 0 ? [new RequestedRight(DataSubjectRight.Access)] : rights, IntakeChannel.Email, Requester, AgentId: "agent-7");

    public ValueTask<DataSubjectRequest> SubmitAsync(params RequestedRight[] rights) => Requests.SubmitAsync(Intake(rights));

    /// <summary>A request received now and brought to <paramref name="status"/> through the service.</summary>
    public async Task<DataSubjectRequest> InStatusAsync(RequestStatus status)
    {
        var request = await SubmitAsync(new RequestedRight(DataSubjectRight.Access), new RequestedRight(DataSubjectRight.Erasure));
        switch (status)
        {
            case RequestStatus.Received:
                return request;
            case RequestStatus.IdentityPending:
                return await Requests.SendIdentityCodeAsync(request.Id, OneTimeCodeDestination.Email);
            case RequestStatus.Refused:
                return await Requests.RefuseAsync(request.Id, RefusalGround.Excessive, "fourth identical request this month", subjectToldOfComplaintAndRemedy: true);
        }

        request = await Requests.VerifyIdentityAsync(request.Id, new AgentAttestationEvidence("agent-7", "customer number and address confirmed by phone"));
        if (status == RequestStatus.Verified)
        {
            return request;
        }

        request = await Requests.StartAsync(request.Id);
        if (status == RequestStatus.InProgress)
        {
            return request;
        }

        await Requests.CompleteRightAsync(request.Id, DataSubjectRight.Access, reference: "export-1");
        return await Requests.CompleteRightAsync(request.Id, DataSubjectRight.Erasure, reference: "certificate-1");
    }

    public async Task<List<AuditEntry>> AuditEntriesAsync()
    {
        var entries = new List<AuditEntry>();
        await foreach (var entry in Audit.ReadAsync())
        {
            entries.Add(entry);
        }

        return entries;
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();

    /// <summary>Keeps the codes "sent", as a test's inbox.</summary>
    internal sealed class CapturingCodeSender : IOneTimeCodeSender
    {
        private readonly List<OneTimeCodeMessage> _sent = [];

        public IReadOnlyList<OneTimeCodeMessage> Sent
        {
            get
            {
                lock (_sent)
                {
                    return [.. _sent];
                }
            }
        }

        public ValueTask SendAsync(OneTimeCodeMessage message, CancellationToken cancellationToken = default)
        {
            lock (_sent)
            {
                _sent.Add(message);
            }

            return ValueTask.CompletedTask;
        }
    }
}
