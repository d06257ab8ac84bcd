using System.Runtime.CompilerServices;
using System.Text;
using Gdpr.DataSources;
using Gdpr.Export;
using Gdpr.Retention;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gdpr.Core.Tests.Export;

/// <summary>One stored value of an in-memory table: whose it is, and what the source reports about it.</summary>
internal sealed record Row(string SubjectId, string Entity, string RecordKey, string Member, object? Value)
{
    public string Category { get; init; } = "contact.email";
    public string RetentionPolicy { get; init; } = PersonalDataAttribute.DefaultRetentionPolicy;
    public string[] Purposes { get; init; } = ["support"];
    public LawfulBasis LawfulBasis { get; init; } = LawfulBasis.Contract;
    public bool ProvidedBySubject { get; init; } = true;
    public DateTimeOffset? CollectedAt { get; init; }
    public DateTimeOffset? ModifiedAt { get; init; }
}

/// <summary>
/// A real <see cref="IPersonalDataSource"/> over rows in memory: exports one subject's rows, and erases by
/// forgetting the keys of destroyed scopes, after which those values read as erased (as the EF adapter's do).
/// </summary>
internal sealed class InMemoryDataSource(string name, IEnumerable<Row> rows) : IPersonalDataSource
{
    private readonly List<Row> _rows = [.. rows];
    private readonly HashSet<(string Subject, string Scope)> _destroyed = [];

    public string Name { get; } = name;

    /// <summary>Gets or sets whether items carry their subject id (sources may leave it unset).</summary>
    public bool StampSubjectId { get; set; } = true;

    public async IAsyncEnumerable<PersonalDataItem> ExportAsync(string subjectId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var row in _rows.Where(r => r.SubjectId == subjectId))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            var erased = _destroyed.Contains((row.SubjectId, row.RetentionPolicy));
            yield return ToItem(Name, row, erased, StampSubjectId);
        }
    }

    public ValueTask<DataSourceErasureResult> EraseAsync(string subjectId, DataSourceErasureRequest request, CancellationToken cancellationToken = default)
    {
        var found = _rows.Where(r => r.SubjectId == subjectId).ToList();
        foreach (var scope in request.DestroyedScopes)
        {
            _destroyed.Add((subjectId, scope));
        }

        return ValueTask.FromResult(new DataSourceErasureResult(
            Name, found.Count, found.Select(r => r.RetentionPolicy).ToHashSet(StringComparer.Ordinal), RowsDeleted: 0, ValuesReplaced: 0));
    }

    internal static PersonalDataItem ToItem(string source, Row row, bool erased, bool stampSubject) => new()
    {
        Source = source,
        SubjectId = stampSubject ? row.SubjectId : null,
        Entity = row.Entity,
        RecordKey = row.RecordKey,
        Member = row.Member,
        Category = row.Category,
        Purposes = row.Purposes,
        RetentionPolicy = row.RetentionPolicy,
        LawfulBasis = row.LawfulBasis,
        ProvidedBySubject = row.ProvidedBySubject,
        IsErased = erased,
        Value = erased ? null : row.Value,
        CollectedAt = row.CollectedAt,
        ModifiedAt = row.ModifiedAt,
    };
}

/// <summary>A source that yields <c>count</c> values made on the fly, so that it holds nothing itself.</summary>
internal sealed class GeneratedDataSource(int count, Action<int>? onValue = null) : IPersonalDataSource
{
    public string Name => "generated";

    public async IAsyncEnumerable<PersonalDataItem> ExportAsync(string subjectId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var purposes = new[] { "support" };
        var collected = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        for (var i = 0; i < count; i++)
        {
            if (i % 1000 == 0)
            {
                await Task.Yield();
            }

            onValue?.Invoke(i);
            yield return new PersonalDataItem
            {
                Source = Name,
                SubjectId = subjectId,
                Entity = "Message",
                RecordKey = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Member = "Body",
                Category = "communication.chat-transcript",
                Purposes = purposes,
                RetentionPolicy = "default",
                Value = (i % 3) switch { 0 => "Hello, I would like to change my delivery address.", 1 => (object)(i * 7L), _ => collected.AddMinutes(i) },
                CollectedAt = collected,
            };
        }
    }

    // Generated on the fly for whoever asks: it holds (and so finds) nothing to erase.
    public ValueTask<DataSourceErasureResult> EraseAsync(string subjectId, DataSourceErasureRequest request, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(new DataSourceErasureResult(Name, RowsFound: 0, ScopesFound: new HashSet<string>(), RowsDeleted: 0, ValuesReplaced: 0));
}

/// <summary>Builds exporters the way an application does, and reads exports back.</summary>
internal static class ExportTestKit
{
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    public static ServiceProvider BuildProvider(Action<ExportOptions>? configure = null, params IPersonalDataSource[] sources)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
        services.AddGdpr(o =>
        {
            o.PseudonymKey = new byte[32];
            o.RetentionPolicies.Add(new RetentionPolicy
            {
                Name = "tax",
                Years = 7,
                IsLegalObligation = true,
                LegalBasis = "Dutch AWR art. 52 (7-year fiscal retention)",
            });
            o.RetentionPolicies.Add(new RetentionPolicy { Name = "marketing", Months = 18, Clock = RetentionClock.RelationshipEnd });
        }).UseInMemoryStores().ConfigureExport(o =>
        {
            o.Controller.Name = "Example Contact Center B.V.";
            o.Controller.Contact = "privacy@example.org, Postbus 1, 1000 AA Amsterdam";
            o.DataProtectionOfficer.Name = "J. Jansen";
            o.DataProtectionOfficer.Contact = "dpo@example.org";
            o.SupervisoryAuthority.Name = "Autoriteit Persoonsgegevens";
            o.SupervisoryAuthority.Contact = "https://autoriteitpersoonsgegevens.nl";
            o.Purposes["support"] = "Answering your questions and complaints";
            o.Purposes["billing"] = "Invoicing and the fiscal records the law requires";
            o.Recipients.Add(new RecipientInfo { Name = "Payment service provider", Description = "Payment details, to collect payments" });
            o.SourcesOfData["financial.payment"] = "Your bank, when a payment is made";
            o.NoAutomatedDecisionMaking = true;
            configure?.Invoke(o);
        });
        foreach (var source in sources)
        {
            services.AddSingleton<IPersonalDataSource>(source);
        }

        return services.BuildServiceProvider();
    }

    public static IPersonalDataExporter Exporter(ServiceProvider provider) => provider.GetRequiredService<IPersonalDataExporter>();

    /// <summary>Runs an export into memory and returns the bytes.</summary>
    public static async Task<byte[]> ExportBytesAsync(IPersonalDataExporter exporter, string subjectId, ExportFormat format, ExportKind kind = ExportKind.Access)
    {
        using var stream = new MemoryStream();
        await exporter.ExportAsync(subjectId, stream, format, kind);
        return stream.ToArray();
    }

    /// <summary>An RFC 4180 reader: quoted fields, doubled quotes, CRLF records.</summary>
    public static List<string[]> ParseCsv(byte[] csv)
    {
        var text = Encoding.UTF8.GetString(csv);
        Assert.StartsWith("\uFEFF", text, StringComparison.Ordinal); // the BOM that makes spreadsheets read UTF-8
        text = text[1..];
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '"' && field.Length == 0)
            {
                i++;
                while (true)
                {
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    field.Append(text[i++]);
                }
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
                i++;
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                records.Add([.. fields]);
                fields.Clear();
                i += 2;
            }
            else
            {
                Assert.NotEqual('\n', c); // a bare line feed outside quotes breaks RFC 4180
                field.Append(c);
                i++;
            }
        }

        Assert.Empty(fields); // every record ends with CRLF
        return records;
    }
}
