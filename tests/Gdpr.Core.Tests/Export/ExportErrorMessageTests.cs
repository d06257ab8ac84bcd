using Gdpr.DataSources;
using Gdpr.Export;
using Moq;
using static Gdpr.Core.Tests.Export.ExportTestKit;
using static Gdpr.Tests.Shared.ExportPackages;

namespace Gdpr.Core.Tests.Export;

/// <summary>A wrapping error's own message says what really failed: the cause's entity, key, member and scope.</summary>
public class ExportErrorMessageTests
{
    [Fact]
    public async Task ExportAsync_SourceFailsWithAnIntegrityError_MessageNamesTheFieldAndKey()
    {
        var cause = new PersonalDataIntegrityException("Customer.Email", "PSEUDONYM-1", IntegrityFailure.AuthenticationFailed, "key 42");
        await using var provider = BuildProvider(null, Failing("crm", cause));

        var error = await Assert.ThrowsAsync<PersonalDataExportException>(() => Exporter(provider).ExportAsync("cust-1", Stream.Null, ExportFormat.Json));

        Assert.Same(cause, error.InnerException);
        Assert.Contains("'crm'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Customer.Email", error.Message, StringComparison.Ordinal);
        Assert.Contains("key 42", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("cust-1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportAsync_CauseWrappedByAnotherLibrary_MessageStillNamesTheScope()
    {
        var cause = new KeyUnavailableException("The data key for scope 'tax' could not be had (GetKeyAsync).");
        await using var provider = BuildProvider(null, Failing("crm", new InvalidOperationException("wrapper of a library", cause)));

        var error = await Assert.ThrowsAsync<PersonalDataExportException>(() => Exporter(provider).ExportAsync("cust-1", Stream.Null, ExportFormat.Json));

        Assert.Contains("scope 'tax'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrapper of a library", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyUnavailable_WrappingAnotherSdkError_RepeatsItOnce()
    {
        var inner = new KeyUnavailableException("Key-encryption key kek-7 is unknown or retired.");

        var outer = new KeyUnavailableException("The data key for scope 'tax' could not be had.", inner);
        var twice = new KeyUnavailableException($"Already says it: {inner.Message}", inner);

        Assert.Equal("The data key for scope 'tax' could not be had. Cause: Key-encryption key kek-7 is unknown or retired.", outer.Message);
        Assert.Equal($"Already says it: {inner.Message}", twice.Message);
    }

    [Fact]
    public void Message_NeverCopiesANonSdkCause_ItMayHoldValues()
    {
        var error = new KeyUnavailableException("The key store failed.", new InvalidOperationException("value a@example.org"));

        Assert.Equal("The key store failed.", error.Message);
    }

    private static IPersonalDataSource Failing(string name, Exception error)
    {
        var source = new Mock<IPersonalDataSource>();
        source.SetupGet(s => s.Name).Returns(name);
        source.Setup(s => s.ExportAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).Returns(Throwing(error));
        return source.Object;
    }

    private static async IAsyncEnumerable<PersonalDataItem> Throwing(Exception error)
    {
        await Task.CompletedTask;
        throw error;
#pragma warning disable CS0162 // an async iterator needs a yield
        yield break;
#pragma warning restore CS0162
    }
}
