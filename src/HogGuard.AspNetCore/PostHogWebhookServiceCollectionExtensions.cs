using HogGuard.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// Extensions live in the namespaces users already import, so they find them.
namespace Microsoft.Extensions.DependencyInjection
{
    public static class PostHogWebhookServiceCollectionExtensions
    {
        /// <summary>Adds a named PostHog webhook receiver; its options are validated at start-up.</summary>
        public static IServiceCollection AddPostHogWebhooks(this IServiceCollection services, string name, Action<PostHogWebhookOptions> configure)
        {
            ArgumentNullException.ThrowIfNull(services);
            services.AddOptions<PostHogWebhookOptions>(name).Configure(configure).ValidateOnStart();
            return AddCore(services);
        }

        /// <summary>Adds a named receiver bound from a configuration section (Scheme, Tolerance, MaxBodyBytes, Secrets:[{Id,Secret,NotBefore,NotAfter}]).</summary>
        public static IServiceCollection AddPostHogWebhooks(this IServiceCollection services, string name, IConfiguration section)
        {
            ArgumentNullException.ThrowIfNull(section);
            return services.AddPostHogWebhooks(name, options =>
            {
                if (Enum.TryParse<HogGuard.Webhooks.WebhookScheme>(section["Scheme"], ignoreCase: true, out var scheme))
                {
                    options.Scheme = scheme;
                }

                if (TimeSpan.TryParse(section["Tolerance"], System.Globalization.CultureInfo.InvariantCulture, out var tolerance))
                {
                    options.Tolerance = tolerance;
                }

                if (int.TryParse(section["MaxBodyBytes"], System.Globalization.CultureInfo.InvariantCulture, out var max))
                {
                    options.MaxBodyBytes = max;
                }

                foreach (var secret in section.GetSection("Secrets").GetChildren())
                {
                    options.Secrets.Add(new PostHogWebhookSecret
                    {
                        Id = secret["Id"] ?? secret.Key,
                        Secret = secret["Secret"],
                        NotBefore = DateTimeOffset.TryParse(secret["NotBefore"], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var from) ? from : null,
                        NotAfter = DateTimeOffset.TryParse(secret["NotAfter"], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var until) ? until : null,
                    });
                }
            });
        }

        private static IServiceCollection AddCore(IServiceCollection services)
        {
            services.TryAddSingleton(TimeProvider.System);
            services.TryAddSingleton<PostHogWebhookRegistry>();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostHogWebhookOptions>, PostHogWebhookOptionsValidator>());
            return services;
        }
    }
}

namespace Microsoft.AspNetCore.Builder
{
    public static class PostHogWebhookEndpointExtensions
    {
        /// <summary>Only verified PostHog deliveries reach this endpoint; read them with <c>HttpContext.GetPostHogWebhook()</c>.</summary>
        public static TBuilder RequirePostHogSignature<TBuilder>(this TBuilder builder, string name)
            where TBuilder : IEndpointConventionBuilder
        {
            ArgumentNullException.ThrowIfNull(builder);
            builder.AddEndpointFilter(new PostHogSignatureFilter(name));
            return builder;
        }
    }
}
