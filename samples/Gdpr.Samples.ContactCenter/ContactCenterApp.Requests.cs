using System.Globalization;
using Gdpr.Requests;
using Gdpr.Samples.ContactCenter.Model;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Samples.ContactCenter;

/// <summary>The request verbs: a data-subject request received, verified, executed and closed within its deadline (docs/requests.md).</summary>
public sealed partial class ContactCenterApp
{
    private static readonly (string Name, DataSubjectRight Right)[] RightNames =
    [
        ("access", DataSubjectRight.Access),
        ("rectification", DataSubjectRight.Rectification),
        ("erasure", DataSubjectRight.Erasure),
        ("restriction", DataSubjectRight.Restriction),
        ("portability", DataSubjectRight.Portability),
        ("objection", DataSubjectRight.Objection),
        ("consent-withdrawal", DataSubjectRight.ConsentWithdrawal),
    ];

    private static readonly (string Name, IntakeChannel Channel)[] ChannelNames =
    [
        ("web-form", IntakeChannel.WebForm),
        ("email", IntakeChannel.Email),
        ("phone", IntakeChannel.Phone),
        ("chat", IntakeChannel.Chat),
        ("letter", IntakeChannel.Letter),
        ("in-person", IntakeChannel.InPerson),
    ];

    private IDataSubjectRequestService Requests => _services.GetRequiredService<IDataSubjectRequestService>();

    private RequestClock Clock => _services.GetRequiredService<RequestClock>();

    /// <summary>Where the executed requests' export packages and erasure certificates go: beside the database, like its keys.</summary>
    internal static string PackageDirectoryOf(string fullPath) => fullPath + ".packages";

    /// <summary>The controller's statements the request workflow needs; the SDK has no defaults for them.</summary>
    private static void ConfigureRequests(RequestOptions o, string fullPath)
    {
        o.TimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
        o.HolidayCalendar = new DutchHolidayCalendar();
        o.PackageDirectory = PackageDirectoryOf(fullPath);
        o.DirectMarketingScope = Policies.Marketing; // this contact center's interest profiles serve direct marketing
    }

    /// <summary>Receives a request (Art. 12(2), 12(3)): the month starts the day after <paramref name="receivedOn"/> (today when null).</summary>
    public async Task<int> SubmitRequestAsync(
        string subjectId, string rights, string channel, string? receivedOn, RequesterContact requester, string? agentId, CancellationToken cancellationToken)
    {
        await RequireSubjectAsync(subjectId, cancellationToken);
        if (requester is { Name: null, Email: null, Phone: null, PostalAddress: null })
        {
            throw new SampleInputException("give at least one of --name, --email, --phone or --address: the answer must reach the requester");
        }

        var request = await Requests.SubmitAsync(
            new DataSubjectRequestIntake(subjectId, ParseRights(rights), ParseChannel(channel), requester, ReceivedAt(receivedOn), agentId),
            cancellationToken);
        _out.WriteLine($"Request {request.Id} received {Iso(request.ReceivedOn)} by {Name(ChannelNames, request.Channel)}: {Describe(request.Rights)}.");
        _out.WriteLine($"  due {Iso(request.Due)} (Art. 12(3): one month, the day of receipt not counted, off weekends and Dutch holidays); internal target {Iso(request.InternalTarget)}.");
        _out.WriteLine($"  next: request-verify --request {request.Id} --agent ID --method \"how you checked\" (Art. 12(6))");
        return ExitCodes.Success;
    }

    /// <summary>Records an agent's attestation of the requester's identity (Art. 12(6)).</summary>
    public async Task<int> VerifyRequestAsync(string requestId, string agentId, string method, CancellationToken cancellationToken)
    {
        var request = await Requests.VerifyIdentityAsync(requestId, new AgentAttestationEvidence(agentId, method), cancellationToken);
        _out.WriteLine($"Request {request.Id}: identity verified by {agentId} ({method}); now {request.Status}.");
        return ExitCodes.Success;
    }

    /// <summary>Lists the open requests, overdue first, with the days left to each one's last day.</summary>
    public async Task<int> ListRequestsAsync(CancellationToken cancellationToken)
    {
        var today = Clock.LocalDate(_services.GetRequiredService<TimeProvider>().GetUtcNow());

        // By last day: the overdue ones come first, then the soonest due.
        var open = (await Requests.ListOpenAsync(cancellationToken)).OrderBy(r => r.Due).ThenBy(r => r.ReceivedAt).ToList();
        if (open.Count == 0)
        {
            _out.WriteLine("No open requests.");
            return ExitCodes.Success;
        }

        foreach (var request in open)
        {
            var days = request.Due.DayNumber - today.DayNumber;
            var left = days switch
            {
                < 0 => $"OVERDUE {-days} day(s)",
                0 => "due today",
                _ => $"{days} day(s) left",
            };
            var extended = request.Extension is null ? "" : " (extended)";
            _out.WriteLine($"{request.Id}  due {Iso(request.Due)}{extended}  {left,-18}  {request.Status,-15}  {Describe(request.Rights)}");
        }

        return ExitCodes.Success;
    }

    /// <summary>Extends the period by two months, the subject told now with the reasons (Art. 12(3)).</summary>
    public async Task<int> ExtendRequestAsync(string requestId, string reasons, CancellationToken cancellationToken)
    {
        var request = await Requests.ExtendAsync(requestId, reasons, cancellationToken);
        _out.WriteLine($"Request {request.Id}: extended to {Iso(request.Due)} (was {Iso(request.OriginalDue)}); the subject is told now, with the reasons (Art. 12(3)).");
        return ExitCodes.Success;
    }

    /// <summary>Starts a verified request and carries out its rights through the SDK: exports, erasure, objection to direct marketing.</summary>
    public async Task<int> CompleteRequestAsync(string requestId, CancellationToken cancellationToken)
    {
        var request = await Requests.GetAsync(requestId, cancellationToken);
        if (request.Status == RequestStatus.Verified)
        {
            await Requests.StartAsync(requestId, cancellationToken);
        }

        request = await _services.GetRequiredService<IDataSubjectRequestExecutor>().ExecuteAsync(requestId, cancellationToken);
        foreach (var right in request.Rights)
        {
            var what = right.Status switch
            {
                RightStatus.Completed => $"completed  {right.Reference}",
                RightStatus.Refused => $"refused    {right.Reason}",
                _ => "open       not carried out by the SDK (yet): close it by your own procedure",
            };
            _out.WriteLine($"  {Describe([right]),-32} {what}");
        }

        _out.WriteLine($"  packages and certificates: {PackageDirectoryOf(_databasePath)}");
        if (request.ClosedAt is { } closedAt)
        {
            var closedOn = Clock.LocalDate(closedAt);
            var inTime = closedOn <= request.Due ? "within the deadline" : "AFTER the deadline";
            _out.WriteLine($"Request {request.Id}: {request.Outcome} on {Iso(closedOn)}, {inTime} ({Iso(request.Due)}).");
        }
        else
        {
            _out.WriteLine($"Request {request.Id}: {request.Status}; due {Iso(request.Due)}.");
        }

        return ExitCodes.Success;
    }

    /// <summary>Refuses a manifestly unfounded or excessive request (Art. 12(5)(b)), told as Art. 12(4) requires.</summary>
    public async Task<int> RefuseRequestAsync(string requestId, string ground, string reason, bool toldOfComplaintAndRemedy, CancellationToken cancellationToken)
    {
        var parsed = ground switch
        {
            "unfounded" => RefusalGround.ManifestlyUnfounded,
            "excessive" => RefusalGround.Excessive,
            _ => throw new SampleInputException($"--ground must be 'unfounded' or 'excessive', not '{ground}'"),
        };
        var request = await Requests.RefuseAsync(requestId, parsed, reason, toldOfComplaintAndRemedy, cancellationToken);
        _out.WriteLine($"Request {request.Id}: refused as {parsed} (Art. 12(5)(b)); the subject was told the reasons and of the right to complain and to a judicial remedy (Art. 12(4)).");
        return ExitCodes.Success;
    }

    private DateTimeOffset? ReceivedAt(string? receivedOn)
    {
        if (receivedOn is null)
        {
            return null;
        }

        if (!DateOnly.TryParseExact(receivedOn, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw new SampleInputException($"'{receivedOn}' is not a date; use yyyy-MM-dd.");
        }

        // Noon in the controller's time zone: the date of receipt is the one given, whatever the offset.
        var noon = date.ToDateTime(new TimeOnly(12, 0));
        var instant = new DateTimeOffset(noon, Clock.TimeZone.GetUtcOffset(noon));
        if (date > Clock.LocalDate(_services.GetRequiredService<TimeProvider>().GetUtcNow()))
        {
            throw new SampleInputException("--received is in the future");
        }

        return instant;
    }

    private static List<RequestedRight> ParseRights(string text)
    {
        var rights = new List<RequestedRight>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (name, purpose) = item.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0 ? (item[..colon], item[(colon + 1)..]) : (item, null);
            var found = RightNames.Where(r => r.Name == name).Select(r => (DataSubjectRight?)r.Right).FirstOrDefault()
                ?? throw new SampleInputException($"unknown right '{name}'; use {string.Join(", ", RightNames.Select(r => r.Name))} (objection:PURPOSE, e.g. objection:{RequestedRight.DirectMarketingPurpose})");
            if (found == DataSubjectRight.Objection && string.IsNullOrWhiteSpace(purpose))
            {
                throw new SampleInputException($"an objection names the processing it objects to: objection:PURPOSE, e.g. objection:{RequestedRight.DirectMarketingPurpose} (Art. 21)");
            }

            rights.Add(new RequestedRight(found, purpose));
        }

        return rights.Count > 0 ? rights : throw new SampleInputException("--rights names no right");
    }

    private static IntakeChannel ParseChannel(string text)
        => ChannelNames.Where(c => c.Name == text).Select(c => (IntakeChannel?)c.Channel).FirstOrDefault()
            ?? throw new SampleInputException($"unknown channel '{text}'; use {string.Join(", ", ChannelNames.Select(c => c.Name))}");

    private static string Describe(IEnumerable<RequestedRight> rights)
        => string.Join(", ", rights.Select(r => r.Purpose is null ? Name(RightNames, r.Right) : $"{Name(RightNames, r.Right)}:{r.Purpose}"));

    private static string Name<T>((string Name, T Value)[] names, T value)
        where T : struct, Enum
        => names.First(n => EqualityComparer<T>.Default.Equals(n.Value, value)).Name;

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
