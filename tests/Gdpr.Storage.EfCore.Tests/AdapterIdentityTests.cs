namespace Gdpr.Storage.EfCore.Tests;

public class AdapterIdentityTests
{
    [Fact]
    public void SourceName_Is_Stable_For_Exports() => Assert.Equal("efcore", GdprEfCore.SourceName);
}
