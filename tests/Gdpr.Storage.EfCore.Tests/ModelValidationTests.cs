using System.Security.Cryptography;
using Gdpr.Classification;
using Gdpr.Storage.EfCore.Tests.Infrastructure;
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
        services.AddGdpr(o => o.PseudonymKey = RandomNumberGenerator.GetBytes(32)).UseInMemoryStores();
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
    public void AnnotatedMembers_ShareOneBinaryColumnPerRow_AndAreUnmappedClrMembers(string provider, string storeType)
    {
        using var context = new ShopContext(Options<ShopContext>(provider));
        var customer = context.Model.FindEntityType(typeof(Customer))!;
        var column = customer.FindProperty(StoredEnvelopes.Column)!;
        Assert.Equal("PersonalData$gdpr", column.GetColumnName());
        Assert.Equal(storeType, column.GetColumnType());
        Assert.True(column.IsNullable); // a row whose members are all null stores NULL
        Assert.Null(customer.FindProperty("Email")); // the CLR member holds plaintext and has no column of its own
        Assert.Null(customer.FindProperty("Name"));

        var address = customer.FindNavigation("Address")!.TargetEntityType;
        Assert.Equal("Address_PersonalData$gdpr", address.FindProperty(StoredEnvelopes.Column)!.GetColumnName());
        Assert.Null(address.FindProperty("Street"));
        var phone = customer.FindNavigation("Phones")!.TargetEntityType; // an owned collection: a table of its own
        Assert.NotEqual(customer.GetTableName(), phone.GetTableName());
        Assert.Equal("PersonalData$gdpr", phone.FindProperty(StoredEnvelopes.Column)!.GetColumnName());
        Assert.Equal("CustomerNumber", customer.FindProperty("CustomerNumber")!.GetColumnName()); // the lookup column stays plaintext
    }

    [Fact]
    public void Hierarchy_KeepsOneColumn_OnItsRoot_ForEveryDerivedTypesMembers()
    {
        using var context = new ShopContext(Options<ShopContext>("sqlite"));
        var root = context.Model.FindEntityType(typeof(Interaction))!;
        var column = root.FindProperty(StoredEnvelopes.Column)!;
        Assert.Same(root, column.DeclaringType);
        foreach (var derived in new[] { typeof(PhoneInteraction), typeof(ChatInteraction) })
        {
            Assert.Same(column, context.Model.FindEntityType(derived)!.FindProperty(StoredEnvelopes.Column));
        }
    }

    // Table splitting: two entity types in one table must not share one personal-data column (EF refuses to save
    // two different values into one column). Each gets its own, and both round-trip through a real SQLite file.
    [Fact]
    public async Task TableSplitting_GivesEachEntityTypeItsOwnColumn_AndBothRoundTrip()
    {
        var file = Path.Combine(Path.GetTempPath(), $"gdpr-split-{Guid.NewGuid():N}.db");
        var builder = new DbContextOptionsBuilder<SplitContext>().UseSqlite("Data Source=" + file + ";Pooling=False");
        builder.UseGdpr(_services).ConfigureWarnings(w => w.Ignore(CoreEventId.ManyServiceProvidersCreatedWarning));
        var options = builder.Options;
        try
        {
            await using (var db = new SplitContext(options))
            {
                var account = db.Model.FindEntityType(typeof(SplitAccount))!.FindProperty(StoredEnvelopes.Column)!;
                var details = db.Model.FindEntityType(typeof(SplitDetails))!.FindProperty(StoredEnvelopes.Column)!;
                Assert.Equal(("SplitAccount_PersonalData$gdpr", "SplitDetails_PersonalData$gdpr"), (account.GetColumnName(), details.GetColumnName()));

                await db.Database.EnsureCreatedAsync();
                db.Add(new SplitAccount { Id = 1, Subject = "S-SPLIT", Email = "split@example.org", Details = new SplitDetails { Id = 1, Subject = "S-SPLIT", Notes = "prefers e-mail" } });
                await db.SaveChangesAsync();
            }

            await using (var db = new SplitContext(options))
            {
                var read = await db.Set<SplitAccount>().Include(a => a.Details).AsNoTracking().SingleAsync();
                Assert.Equal(("split@example.org", "prefers e-mail"), (read.Email, read.Details!.Notes));
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void MalformedCategory_IsRejected_NamingTypeAndMember_AndTheCategoryMeant()
    {
        var error = Assert.Throws<PersonalDataModelException>(() => BuildModel<MalformedCategory>());

        Assert.Equal(("MalformedCategory", "Email"), (error.Entity, error.Member));
        Assert.StartsWith("MalformedCategory.Email: 'e-mail' is not a personal-data category identifier", error.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'contact.email'", error.Message, StringComparison.Ordinal);
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

    public sealed class SplitContext(DbContextOptions<SplitContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<SplitAccount>(a =>
            {
                a.ToTable("Accounts");
                a.HasOne(x => x.Details).WithOne().HasForeignKey<SplitDetails>(d => d.Id);
            });
            modelBuilder.Entity<SplitDetails>().ToTable("Accounts");
        }
    }

    public sealed class SplitAccount
    {
        public int Id { get; set; }

        [DataSubjectId] public string Subject { get; set; } = "";

        [PersonalData(PersonalDataCategories.Email)] public string? Email { get; set; }

        public SplitDetails? Details { get; set; }
    }

    public sealed class SplitDetails
    {
        public int Id { get; set; }

        [DataSubjectId] public string Subject { get; set; } = "";

        [PersonalData(PersonalDataCategories.AgentNotes)] public string? Notes { get; set; }
    }

    public sealed class MalformedCategory
    {
        public int Id { get; set; }

        [DataSubjectId] public string CustomerNumber { get; set; } = "";

        [PersonalData("e-mail")] public string? Email { get; set; }
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
