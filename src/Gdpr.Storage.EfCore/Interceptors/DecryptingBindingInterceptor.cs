using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using Gdpr.Storage.EfCore.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Gdpr.Storage.EfCore.Interceptors;

/// <summary>
/// Decrypts entities as EF creates them, for tracking and no-tracking queries alike, and for projections of
/// annotated members (which EF answers by materializing the entity, since the member has no column of its own).
/// </summary>
/// <remarks>
/// Rather than an <see cref="IMaterializationInterceptor"/> (which makes EF build a property-accessor dictionary
/// for every row, several times the cost of materializing the row itself), this wraps the entity type's
/// instantiation binding once per compiled query: the compiled materializer reads the subject, key and envelope
/// columns straight from the result row and calls <see cref="PersonalDataCrypto.Materialize"/>. It is stateless and
/// shared, as EF requires of singleton interceptors; the crypto services come from the context being read.
/// </remarks>
internal sealed class DecryptingBindingInterceptor : IInstantiationBindingInterceptor
{
    public static readonly DecryptingBindingInterceptor Instance = new();

    private static readonly MethodInfo MaterializeMethod = typeof(DecryptingBindingInterceptor).GetMethod(nameof(Materialize), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly ConditionalWeakTable<DbContext, PersonalDataCrypto> CryptoByContext = new();

    private DecryptingBindingInterceptor()
    {
    }

    public InstantiationBinding ModifyBinding(InstantiationBindingInterceptionData interceptionData, InstantiationBinding binding)
    {
        if (interceptionData.TypeBase is IEntityType entityType
            && PersonalDataModelMap.For(entityType.Model).Get(entityType) is { } map
            && binding is not DecryptingBinding)
        {
            return new DecryptingBinding(binding, map);
        }

        return binding;
    }

    /// <summary>The crypto services of the application the context belongs to (set up by UseGdpr).</summary>
    public static PersonalDataCrypto CryptoFor(DbContext context) => CryptoByContext.GetValue(context, FindCrypto);

    private static object Materialize(object entity, DbContext context, object?[] row, PersonalDataEntityMap map)
    {
        CryptoFor(context).Materialize(context, entity, map, row);
        return entity;
    }

    private static PersonalDataCrypto FindCrypto(DbContext context)
        => context.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.Interceptors?
               .OfType<EncryptingSaveChangesInterceptor>().FirstOrDefault()?.Crypto
           ?? throw new PersonalDataModelException(context.GetType().Name, null, "reads personal data without UseGdpr on its options.");

    /// <summary>Creates the entity as EF would, then hands it and the columns it needs to the decryption.</summary>
    private sealed class DecryptingBinding(InstantiationBinding inner, PersonalDataEntityMap map) : InstantiationBinding(inner.ParameterBindings)
    {
        public override Type RuntimeType => inner.RuntimeType;

        public override Expression CreateConstructorExpression(ParameterBindingInfo bindingInfo)
        {
            var create = inner.CreateConstructorExpression(bindingInfo);

            // Read through bindings that are not listed in ParameterBindings, so EF still sets every mapped
            // property (the key, the subject id) on the instance as usual.
            var row = map.ReadProperties.Select(p => (Expression)Expression.Convert(new PropertyParameterBinding(p).BindToParameter(bindingInfo), typeof(object)));
            var context = new ContextParameterBinding(typeof(DbContext)).BindToParameter(bindingInfo);
            return Expression.Convert(
                Expression.Call(MaterializeMethod, Expression.Convert(create, typeof(object)), context, Expression.NewArrayInit(typeof(object), row), Expression.Constant(map)),
                create.Type);
        }

        public override InstantiationBinding With(IReadOnlyList<ParameterBinding> parameterBindings)
            => new DecryptingBinding(inner.With(parameterBindings), map);
    }
}
