using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;

namespace Gdpr.Storage.EfCore.Model;

/// <summary>
/// The model step (<see cref="PersonalDataModel"/>) as an EF convention: runs when the model is finalized, after
/// <c>OnModelCreating</c> and whatever <see cref="Microsoft.EntityFrameworkCore.Infrastructure.IModelCustomizer"/> the
/// application or another library uses, so that replacing the customizer no longer undoes it.
/// </summary>
internal sealed class PersonalDataConvention : IModelFinalizingConvention
{
    public void ProcessModelFinalizing(IConventionModelBuilder modelBuilder, IConventionContext<IConventionModelBuilder> context)
        => PersonalDataModel.Apply((IMutableModel)modelBuilder.Metadata);
}
