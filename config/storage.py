"""Static files in production: whitenoise's compressed, hashed names, without source maps.

The vendored Bootstrap and plotly.js end with a ``sourceMappingURL`` comment
naming a ``.map`` file that is not shipped (it is for debugging the library,
not the app): Django's hashing would stop ``collectstatic`` on the missing
file, so those comments are left as they are instead of rewritten.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    def keep(pattern) -> bool:
        text = pattern[0] if isinstance(pattern, (tuple, list)) else pattern
        return "sourceMappingURL" not in text

    return tuple((extension, tuple(filter(keep, rules))) for extension, rules in patterns)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)
