using System.Security.Cryptography;
using Gdpr.Classification;
using Gdpr.Storage.EfCore.Tests.TestModel;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Storage.EfCore.Tests;

/// <summary>The model is checked when EF builds it; no database is opened.</summary>
public sealed class ModelValidationTests : IDisposable
{
    private readonly ServiceProvider _services;

    public ModelValidationTests()
    {
        var services = new ServiceCollection();
        services.AddGdpr(o => o.PseudonymKey = RandomNumberGenerator.GetBytes(32));
        _services = services.BuildServiceProvider();
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public void EntityWithoutSubjectId_IsRejected_NamingTheType()
    {
        var error = Assert.Throws<PersonalDataModelException>(() => BuildModel<NoSubject>());
        Assert.Equal("NoSubject", error.Entity);
        Assert.Contains("exactly one [DataSubjectId]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EntityWithTwoSubjectIds_IsRejected_NamingTheMembers()
    {
        var error = Assert.Throws<PersonalDataModelException>(() => BuildModel<TwoSubjects>());
        Assert.Equal(("TwoSubjects", "First, Second"), (error.Entity, error.Member));
    }

    [Fact]
    public void AnnotatedPrimaryKey_IsRejected_NamingTheMember()
    {
        var error = Assert.Throws<PersonalDataModelException>(() => BuildModel<AnnotatedKey>());
        Assert.Equal(("AnnotatedKey", "Id"), (error.Entity, error.Member));
    }

    [Fact]
    public void AnnotatedForeignKey_IsRejected_NamingTheMember()
    {
        var error = Assert.Throws<PersonalDataModelException>(() => BuildModel<AnnotatedForeignKey>());
        Assert.Equal(("AnnotatedForeignKey", "ParentId"), (error.Entity, error.Member));
    }

    [Fact]
    public void UnsupportedMemberType_IsRejected_NamingTheMember()
    {
        var error = Assert.Throws<PersonalDataModelException>(() => BuildModel<UnsupportedType>());
        Assert.Equal(("UnsupportedType", "Website"), (error.Entity, error.Member));
        Assert.Contains("Uri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OwnedTypeWhoseOwnerHasNoSubjectId_IsRejected_NamingTheOwner()
    {
        var error = Assert.Throws<PersonalDataModelException>(() => BuildModel<OwnerWithoutSubject>());
        Assert.Equal("OwnerWithoutSubject", error.Entity);
    }

    [Fact]
    public void ReplacementOfTheWrongType_IsRejected_NamingTheMember()
    {
        var error = Assert.Throws<PersonalDataModelException>(() => BuildModel<BadReplacement>());
        Assert.Equal(("BadReplacement", "Age"), (error.Entity, error.Member));
    }

    [Theory]
    [InlineData("sqlite", "BLOB")]
    [InlineData("postgres", "bytea")]
    public void AnnotatedMembers_AreBinaryColumns_WithTheMembersName_AndUnmappedClrMembers(string provider, string storeType)
    {
        using var context = new ShopContext(Options<ShopContext>(provider));
        var customer = context.Model.FindEntityType(typeof(Customer))!;
        var email = customer.FindProperty("Email$gdpr")!;
        Assert.Equal("Email", email.GetColumnName());
        Assert.Equal(storeType, email.GetColumnType());
        Assert.True(email.IsNullable);
        Assert.Null(customer.FindProperty("Email")); // the CLR member holds plaintext and has no column of its own

        var address = customer.FindNavigation("Address")!.TargetEntityType;
        Assert.Equal("Address_Street", address.FindProperty("Street$gdpr")!.GetColumnName());
        Assert.Equal("CustomerNumber", customer.FindProperty("CustomerNumber")!.GetColumnName()); // the lookup column stays plaintext
    }

    [Theory]
    [InlineData("Text$gdpr", false)]
    [InlineData("Day$gdpr", false)]
    [InlineData("Tier$gdpr", false)]
    [InlineData("NText$gdpr", true)]
    [InlineData("NDay$gdpr", true)]
    [InlineData("NTier$gdpr", true)]
    public void EnvelopeColumns_AreAsNullableAsTheirMembers(string shadow, bool nullable)
    {
        // A required member never stores NULL (erasure blanks it with an empty envelope), so its column is NOT NULL,
        // as the plaintext column would have been, and reads skip the IS NULL check.
        using var context = new ShopContext(Options<ShopContext>("sqlite"));
        Assert.Equal(nullable, context.Model.FindEntityType(typeof(TypeSample))!.FindProperty(shadow)!.IsNullable);
    }

    private void BuildModel<TEntity>()
        where TEntity : class
    {
        using var context = new SingleEntityContext<TEntity>(Options<SingleEntityContext<TEntity>>("sqlite"));
        _ = context.Model;
    }

    private DbContextOptions<TContext> Options<TContext>(string provider)
        where TContext : DbContext
    {
        var builder = new DbContextOptionsBuilder<TContext>();
        if (provider == "sqlite")
        {
            builder.UseSqlite("Data Source=" + Path.Combine(Path.GetTempPath(), "gdpr-never-opened.db"));
        }
        else
        {
            builder.UseNpgsql("Host=127.0.0.1;Database=never_opened");
        }

        builder.UseGdpr(_services).ConfigureWarnings(w => w.Ignore(CoreEventId.ManyServiceProvidersCreatedWarning));
        return builder.Options;
    }

    public sealed class SingleEntityContext<TEntity>(DbContextOptions<SingleEntityContext<TEntity>> options) : DbContext(options)
        where TEntity : class
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.Entity<TEntity>();
    }

    public sealed class NoSubject
    {
        public int Id { get; set; }

        [PersonalData(PersonalDataCategories.Email)] public string? Email { get; set; }
    }

    public sealed class TwoSubjects
    {
        public int Id { get; set; }

        [DataSubjectId] public string First { get; set; } = "";

        [DataSubjectId] public string Second { get; set; } = "";

        [PersonalData(PersonalDataCategories.Email)] public string? Email { get; set; }
    }

    public sealed class AnnotatedKey
    {
        [PersonalData(PersonalDataCategories.GovernmentId)] public int Id { get; set; }

        [DataSubjectId] public string Subject { get; set; } = "";
    }

    public sealed class Parent
    {
        public int Id { get; set; }
    }

    public sealed class AnnotatedForeignKey
    {
        public int Id { get; set; }

        [DataSubjectId] public string Subject { get; set; } = "";

        [PersonalData(PersonalDataCategories.Transaction)] public int ParentId { get; set; }

        public Parent? Parent { get; set; }
    }

    public sealed class UnsupportedType
    {
        public int Id { get; set; }

        [DataSubjectId] public string Subject { get; set; } = "";

        [PersonalData(PersonalDataCategories.Preferences)] public Uri? Website { get; set; }
    }

    public sealed class OwnerWithoutSubject
    {
        public int Id { get; set; }

        public OwnedDetails? Details { get; set; }
    }

    [Owned]
    public sealed class OwnedDetails
    {
        [PersonalData(PersonalDataCategories.Phone)] public string? Phone { get; set; }
    }

    public sealed class BadReplacement
    {
        public int Id { get; set; }

        [DataSubjectId] public string Subject { get; set; } = "";

        [PersonalData(PersonalDataCategories.DateOfBirth, Replacement = "not a number")] public int Age { get; set; }
    }
}
