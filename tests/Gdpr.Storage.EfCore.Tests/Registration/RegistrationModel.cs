using Gdpr.Classification;
using Microsoft.EntityFrameworkCore;

namespace Gdpr.Storage.EfCore.Tests.Registration;

public sealed class Member
{
    public int Id { get; set; }

    [DataSubjectId]
    public string MemberNumber { get; set; } = "";

    [PersonalData(PersonalDataCategories.Email, Replacement = "[erased]")]
    public string Email { get; set; } = "";
}

/// <summary>
/// An invoice whose billing name the tax authority needs for seven years (GDPR Art. 17(3)(b), Dutch AWR art. 52):
/// RetainUntilExpiry says so, and the start-up check holds the registration to it.
/// </summary>
public sealed class RetainedInvoice
{
    public int Id { get; set; }

    [DataSubjectId]
    public string MemberNumber { get; set; } = "";

    [PersonalData(PersonalDataCategories.Name, RetentionPolicy = "tax", Erasure = ErasureAction.RetainUntilExpiry, LawfulBasis = LawfulBasis.LegalObligation)]
    public string BillingName { get; set; } = "";
}

/// <summary>The invoice: "tax" on the member, while the application registers "taxes".</summary>
public sealed class TypoInvoice
{
    public int Id { get; set; }

    [DataSubjectId]
    public string MemberNumber { get; set; } = "";

    [PersonalData(PersonalDataCategories.Name, RetentionPolicy = "tax", LawfulBasis = LawfulBasis.LegalObligation)]
    public string BillingName { get; set; } = "";
}

/// <summary>Members only, no SDK tables: for the missing-UseGdpr and plain-column cases.</summary>
public sealed class MembersContext(DbContextOptions<MembersContext> options) : DbContext(options)
{
    public DbSet<Member> Members => Set<Member>();
}

/// <summary>The same entity, in a context whose registration replaces the model customizer after UseGdpr.</summary>
public sealed class CustomizedContext(DbContextOptions<CustomizedContext> options) : DbContext(options)
{
    public DbSet<Member> Members => Set<Member>();
}

/// <summary>The context used with UseEfCoreStores: members, retained invoices and every SDK table.</summary>
public sealed class StoresContext(DbContextOptions<StoresContext> options) : DbContext(options)
{
    public DbSet<Member> Members => Set<Member>();

    public DbSet<RetainedInvoice> Invoices => Set<RetainedInvoice>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddGdprTables();
}

/// <summary>Given to UseEfCoreStores, but its OnModelCreating forgets AddGdprTables.</summary>
public sealed class NoTablesContext(DbContextOptions<NoTablesContext> options) : DbContext(options)
{
    public DbSet<Member> Members => Set<Member>();
}

public sealed class TypoContext(DbContextOptions<TypoContext> options) : DbContext(options)
{
    public DbSet<TypoInvoice> Invoices => Set<TypoInvoice>();
}
