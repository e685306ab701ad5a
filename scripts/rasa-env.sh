# Shared environment of the Rasa server and the action server (sourced).
# Every value can be overridden from the environment; the defaults are the
# embedded single-machine set-up of CONTRACT.md.
export RASA_TELEMETRY_ENABLED=false
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export VAR_DIR="$(cd "$(dirname "$0")/.." && mkdir -p "${VAR_DIR:-var}" && cd "${VAR_DIR:-var}" && pwd)"
export RASA_PORT="${RASA_PORT:-5005}"
export ACTION_PORT="${ACTION_PORT:-5055}"
export ACTION_SERVER_URL="${ACTION_SERVER_URL:-http://127.0.0.1:$ACTION_PORT}"
export RASA_TRACKER_URL="${RASA_TRACKER_URL:-sqlite:///$VAR_DIR/rasa-tracker.db}"
# The app's API, which the actions call with the credential the set-up wrote.
export APP_URL="${APP_URL:-http://127.0.0.1:${APP_PORT:-8000}}"
# The secrets of the three hops (bot/service_auth.py), from the files the set-up
# wrote unless set: app -> Rasa, Rasa -> action server, action server -> app.
secret() {
    if [ -f "$VAR_DIR/$1" ]; then cat "$VAR_DIR/$1"; fi
}
export RASA_TOKEN="${RASA_TOKEN:-$(secret rasa-token)}"
export ACTION_SERVER_TOKEN="${ACTION_SERVER_TOKEN:-$(secret action-server-token)}"
export ACTIONS_TOKEN="${ACTIONS_TOKEN:-$(secret actions-token)}"
cd "$(dirname "$0")/../bot"
