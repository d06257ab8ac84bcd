using Gdpr.Classification;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Gdpr.Core.Tests.Classification;

/// <summary>
/// End to end: a <c>[LoggerMessage]</c> whose parameters carry the Gdpr annotations logs them redacted once the
/// application enables redaction with the Gdpr taxonomy (Art. 5(1)(f), 32).
/// </summary>
/// <remarks>
/// Limitation of the logging generator (Microsoft.Gen.Logging 10.11): it instantiates a classification attribute
/// with a parameterless constructor (<c>new PersonalDataAttribute().Classification</c>), so a
/// <c>[PersonalData(category)]</c> parameter, or a <c>[LogProperties]</c> object with such members, does not
/// compile (CS7036). <see cref="DataSubjectIdAttribute"/> has no arguments and works; personal values must be
/// logged through <see cref="IRedactorProvider"/> (see <see cref="RedactionTests"/>) until that changes.
/// </remarks>
public partial class LogRedactionTests
{
    [Fact]
    public void LoggerMessage_AnnotatedParameters_AreRedactedInTheLog()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.EnableRedaction().AddFakeLogging());
        services.AddRedaction(b => b.SetRedactor<ErasingRedactor>(GdprTaxonomy.AllPersonalData).SetFallbackRedactor<NullRedactor>());
        using var provider = services.BuildServiceProvider();
        var logger = provider.GetRequiredService<ILogger<LogRedactionTests>>();

        CustomerCalled(logger, "C-100234", "nl-NL");

        var record = Assert.Single(provider.GetFakeLogCollector().GetSnapshot());
        var everything = record.Message + " " + string.Join(" ", record.StructuredState!.Select(kv => kv.Key + "=" + kv.Value));
        Assert.DoesNotContain("C-100234", everything, StringComparison.Ordinal);
        Assert.Equal(string.Empty, record.GetStructuredStateValue("customerNumber"));
        Assert.Equal("nl-NL", record.GetStructuredStateValue("language")); // not personal data: logged as is
    }

    [Fact]
    public void LoggerMessage_LogPropertiesOfAnAnnotatedObject_AreRedacted()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.EnableRedaction().AddFakeLogging());
        services.AddRedaction(b => b.SetRedactor<ErasingRedactor>(GdprTaxonomy.AllPersonalData).SetFallbackRedactor<NullRedactor>());
        using var provider = services.BuildServiceProvider();
        var logger = provider.GetRequiredService<ILogger<LogRedactionTests>>();
        var call = new CallRecord { CustomerNumber = "C-100234", Queue = "billing" };

        CallEnded(logger, call);

        var record = Assert.Single(provider.GetFakeLogCollector().GetSnapshot());
        var state = record.StructuredState!.ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.All(state.Values, v => Assert.DoesNotContain("C-100234", v ?? string.Empty, StringComparison.Ordinal));
        Assert.DoesNotContain("C-100234", record.Message, StringComparison.Ordinal);
        Assert.Equal("billing", state["call.Queue"]);
    }

    [LoggerMessage(9001, LogLevel.Information, "Customer {customerNumber} called in {language}")]
    private static partial void CustomerCalled(ILogger logger, [DataSubjectId] string customerNumber, string language);

    [LoggerMessage(9002, LogLevel.Information, "Call ended")]
    private static partial void CallEnded(ILogger logger, [LogProperties] CallRecord call);

    public sealed class CallRecord
    {
        [DataSubjectId]
        public string CustomerNumber { get; set; } = string.Empty;

        public string Queue { get; set; } = string.Empty;
    }
}
