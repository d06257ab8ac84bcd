using Gdpr.Requests;
using Gdpr.Retention;
using Gdpr.Storage.EfCore.Tests.Integration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gdpr.Storage.EfCore.Tests.Requests;

/// <summary>The request workflow on the contact center's one database: the EF request store next to the SDK's other tables.</summary>
internal static class RequestsOnDatabase
{
    public const string RequestsBasis = "Accountability (Art. 5(2))";

    public static readonly RequesterContact Requester = new(
        Name: "Henrietta Vandersloot-Quist",
        Email: "henrietta.vandersloot@example.org",
        Phone: "+31 6 4817 2296",
        PostalAddress: "Prinsengracht 263, 1016 GV Amsterdam");

    /// <summary>One "process" of the deployment: its own provider over the shared database and key ring.</summary>
    public static ServiceProvider Build(Action<DbContextOptionsBuilder> database, string keyRingDirectory, FakeTimeProvider time, Action<RequestOptions>? configureRequests = null)
        => ContactCenterHost.Build(database, keyRingDirectory, time, configureGdpr: gdpr =>
        {
            gdpr.AddRetentionPolicy(new RetentionPolicy { Name = "requests", Years = 5, Clock = RetentionClock.RelationshipEnd, LegalBasis = RequestsBasis })
                .AddDataSubjectRequests(o =>
                {
                    o.TimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
                    o.HolidayCalendar = new DutchHolidayCalendar();
                    configureRequests?.Invoke(o);
                })
                .UseEfCoreDataSubjectRequests<ContactCenterContext>();
        });

    public static IDataSubjectRequestService Requests(this IServiceProvider services) => services.GetRequiredService<IDataSubjectRequestService>();

    /// <summary>Submits a request for <paramref name="rights"/>, verified by an agent and started (GDPR Art. 12(6)).</summary>
    public static async Task<DataSubjectRequest> StartedAsync(this IServiceProvider services, string subjectId, params RequestedRight[] rights)
    {
        var requests = services.Requests();
        var request = await requests.SubmitAsync(new DataSubjectRequestIntake(subjectId, rights, IntakeChannel.Phone, Requester, AgentId: "agent-7"));
        await requests.VerifyIdentityAsync(request.Id, new AgentAttestationEvidence("agent-7", "date of birth and customer number confirmed by phone"));
        return await requests.StartAsync(request.Id);
    }
}
