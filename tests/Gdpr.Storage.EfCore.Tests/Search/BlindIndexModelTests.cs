using System.Security.Cryptography;
using Gdpr.Classification;
using Gdpr.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Storage.EfCore.Tests.Search;

/// <summary>A declared blind index is checked when EF builds the model: each mistake names the entity, the member and the index.</summary>
public sealed class BlindIndexModelTests : IDisposable
{
    private readonly ServiceProvider _services;

    public BlindIndexModelTests()
    {
        var services = new ServiceCollection();
        services.AddGdpr(o => o.PseudonymKey = RandomNumberGenerator.GetBytes(32)).UseInMemoryStores();
        _services = services.BuildServiceProvider();
    }

    public void Dispose() => _services.Dispose();

    public sealed class OnPlaintext
    {
        public int Id { get; set; }

        [DataSubjectId] public string Number { get; set; } = "";

        [PersonalData(PersonalDataCategories.Email)] public string? Email { get; set; }

        [BlindIndex("city")] public string? City { get; set; }
    }

    public sealed class NoPersonalDataAtAll
    {
        public int Id { get; set; }

        [BlindIndex("city")] public string? City { get; set; }
    }

    public sealed class OnNumber
    {
        public int Id { get; set; }

        [DataSubjectId] public string Number { get; set; } = "";

        [PersonalData(PersonalDataCategories.Phone), BlindIndex("phone")] public long Phone { get; set; }
    }

    public sealed class TwiceTheSameOrder
    {
        public int Id { get; set; }

        [DataSubjectId] public string Number { get; set; } = "";

        [PersonalData(PersonalDataCategories.PostalAddress), BlindIndex("address")] public string? Postcode { get; set; }

        [PersonalData(PersonalDataCategories.PostalAddress), BlindIndex("address")] public string? House { get; set; }
    }

    public sealed class TooManyBits
    {
        public int Id { get; set; }

        [DataSubjectId] public string Number { get; set; } = "";

        // 1,000 rows allow 8 bits over one member: the second index has none left.
        [PersonalData(PersonalDataCategories.Email)]
        [BlindIndex("email", ExpectedRows = 1_000)]
        [BlindIndex("email_again", ExpectedRows = 1_000)]
        public string? Email { get; set; }
    }

    public sealed class Planned
    {
        public int Id { get; set; }

        [DataSubjectId] public string Number { get; set; } = "";

        [PersonalData(PersonalDataCategories.Phone), BlindIndex("phone", Normalization = BlindIndexNormalization.PhoneNumber)] public string? Phone { get; set; }
    }

    [Fact]
    public void AnIndexOnAPlaintextMember_IsRejected_NamingIt()
    {
        var error = Assert.Throws<PersonalDataModelException>(BuildModel<OnPlaintext>);
        Assert.Equal(("OnPlaintext", "City"), (error.Entity, error.Member));
        Assert.Contains("'city'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnIndexOnATypeWithoutPersonalData_IsRejected_NotIgnored()
    {
        var error = Assert.Throws<PersonalDataModelException>(BuildModel<NoPersonalDataAtAll>);
        Assert.Equal(("NoPersonalDataAtAll", "City"), (error.Entity, error.Member));
    }

    [Fact]
    public void AnIndexOnANonStringMember_IsRejected()
    {
        var error = Assert.Throws<PersonalDataModelException>(BuildModel<OnNumber>);
        Assert.Equal(("OnNumber", "Phone"), (error.Entity, error.Member));
        Assert.Contains("string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACompoundWithoutDistinctOrders_IsRejected()
    {
        var error = Assert.Throws<PersonalDataModelException>(BuildModel<TwiceTheSameOrder>);
        Assert.Contains("distinct Order", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IndexesThatWouldSingleRowsOut_AreRejected()
    {
        var error = Assert.Throws<PersonalDataModelException>(BuildModel<TooManyBits>);
        Assert.Equal(("TooManyBits", "Email"), (error.Entity, error.Member));
        Assert.Contains("'email_again' cannot be planned", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APlannedIndex_IsANullableIndexedIntegerColumn()
    {
        using var context = new SingleEntityContext<Planned>(Options());
        var column = context.Model.FindEntityType(typeof(Planned))!.FindProperty("phone$bidx")!;
        Assert.Equal(typeof(long?), column.ClrType);
        Assert.True(column.IsNullable);
        Assert.True(column.IsIndex());
        Assert.Null(context.Model.FindEntityType(typeof(Planned))!.FindProperty(nameof(Planned.Phone))); // the member itself stays encrypted
    }

    private void BuildModel<TEntity>()
        where TEntity : class
    {
        using var context = new SingleEntityContext<TEntity>(Options<TEntity>());
        _ = context.Model;
    }

    private DbContextOptions<SingleEntityContext<TEntity>> Options<TEntity>()
        where TEntity : class
        => new DbContextOptionsBuilder<SingleEntityContext<TEntity>>()
            .UseSqlite("Data Source=" + Path.Combine(Path.GetTempPath(), "gdpr-never-opened.db"))
            .UseGdpr(_services)
            .ConfigureWarnings(w => w.Ignore(CoreEventId.ManyServiceProvidersCreatedWarning))
            .Options;

    private DbContextOptions<SingleEntityContext<Planned>> Options() => Options<Planned>();

    public sealed class SingleEntityContext<TEntity>(DbContextOptions<SingleEntityContext<TEntity>> options) : DbContext(options)
        where TEntity : class
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.Entity<TEntity>();
    }
}
