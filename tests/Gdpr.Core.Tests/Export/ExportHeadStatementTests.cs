using Gdpr.Export;
using Microsoft.Extensions.Options;
using static Gdpr.Core.Tests.Export.ExportTestKit;
using static Gdpr.Tests.Shared.ExportPackages;

namespace Gdpr.Core.Tests.Export;

/// <summary>
/// The export's head states facts only the controller can decide (automated decision-making, Art. 15(1)(h) and
/// Art. 22; the retention of data under no configured policy, Art. 15(1)(d)) only when the controller configured them.
/// </summary>
public class ExportHeadStatementTests
{
    private static readonly InMemoryDataSource Source = new("crm", [new Row("cust-1", "Customer", "1", "Email", "a@example.org")]);

    [Theory]
    [InlineData(ExportFormat.Json)]
    [InlineData(ExportFormat.Zip)]
    public async Task AutomatedDecisionMaking_NotConfigured_IsNotStated_Art15_1_h(ExportFormat format)
    {
        await using var provider = BuildProvider(o => o.NoAutomatedDecisionMaking = false, Source);

        var bytes = await ExportBytesAsync(Exporter(provider), "cust-1", format);

        using var document = ReadDocument(bytes, format); // valid against the schema
        Assert.Equal(System.Text.Json.JsonValueKind.Null, document.RootElement.GetProperty("automatedDecisionMaking").ValueKind);
        Assert.DoesNotContain("No decisions about you", document.RootElement.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AutomatedDecisionMaking_StatedNone_IsStatedAsNone()
    {
        await using var provider = BuildProvider(o => o.NoAutomatedDecisionMaking = true, Source);

        using var document = ReadDocument(await ExportBytesAsync(Exporter(provider), "cust-1", ExportFormat.Json), ExportFormat.Json);

        var statement = document.RootElement.GetProperty("automatedDecisionMaking");
        Assert.False(statement.GetProperty("exists").GetBoolean());
        Assert.StartsWith("No decisions about you", statement.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AutomatedDecisionMaking_Described_IsStatedWithItsLogic()
    {
        await using var provider = BuildProvider(
            o =>
            {
                o.NoAutomatedDecisionMaking = false;
                o.AutomatedDecisionMaking = "Credit checks score payment history; a low score asks for prepayment.";
            },
            Source);

        using var document = ReadDocument(await ExportBytesAsync(Exporter(provider), "cust-1", ExportFormat.Json), ExportFormat.Json);

        var statement = document.RootElement.GetProperty("automatedDecisionMaking");
        Assert.True(statement.GetProperty("exists").GetBoolean());
        Assert.Equal("Credit checks score payment history; a low score asks for prepayment.", statement.GetProperty("description").GetString());
    }

    [Fact]
    public async Task AutomatedDecisionMaking_StatedNoneAndDescribed_IsAContradiction_NamingBothSettings()
    {
        await using var provider = BuildProvider(o => o.AutomatedDecisionMaking = "Credit checks score payment history.", Source);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => Exporter(provider).ExportAsync("cust-1", Stream.Null, ExportFormat.Json));

        Assert.Contains("ExportOptions.NoAutomatedDecisionMaking and ExportOptions.AutomatedDecisionMaking", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetentionOfAnUnconfiguredPolicy_SaysItIsNotConfigured_NotAPractice_Art15_1_d()
    {
        await using var provider = BuildProvider(null, Source);

        using var document = ReadDocument(await ExportBytesAsync(Exporter(provider), "cust-1", ExportFormat.Json), ExportFormat.Json);

        var policy = document.RootElement.GetProperty("retentionPolicies").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "default");
        Assert.Equal("The controller has not configured a retention period for this data.", policy.GetProperty("description").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, policy.GetProperty("period").ValueKind);
    }
}
