"""French and English texts of the web pages, and the choice of language per request."""
from __future__ import annotations

from flask import g, request, session

LANGUAGES = ("fr", "en")

TEXTS: dict[str, dict[str, str]] = {
    "app_name": {"en": "Rabat Process — workflows", "fr": "Processus de Rabat — procédures"},
    "sign_in": {"en": "Sign in", "fr": "Se connecter"},
    "sign_out": {"en": "Sign out", "fr": "Se déconnecter"},
    "email": {"en": "E-mail address", "fr": "Adresse électronique"},
    "password": {"en": "Password", "fr": "Mot de passe"},
    "bad_credentials": {"en": "Unknown e-mail address or wrong password.",
                        "fr": "Adresse inconnue ou mot de passe erroné."},
    "required": {"en": "This field is required.", "fr": "Ce champ est obligatoire."},
    "welcome": {"en": "Welcome", "fr": "Bienvenue"},
    "signed_in_as": {"en": "Signed in as", "fr": "Connecté en tant que"},
    "your_tasks": {"en": "Your open tasks", "fr": "Vos tâches en cours"},
    "no_tasks": {"en": "No open task.", "fr": "Aucune tâche en cours."},
    "case": {"en": "Case", "fr": "Dossier"},
    "status": {"en": "Status", "fr": "Statut"},
    "intro": {
        "en": "This service runs the procedures of the Euro-African Dialogue on Migration and "
              "Development: labelling requests, silent procedures of the Steering Committee, "
              "referent-country cycles and presidency handovers.",
        "fr": "Ce service conduit les procédures du Dialogue euro-africain sur la migration et le "
              "développement : demandes de labellisation, procédures d'approbation tacite du Comité "
              "de pilotage, cycles des pays référents et passations de présidence.",
    },
    "api_docs": {"en": "API documentation", "fr": "Documentation de l'API"},
    "outgoing_mail": {"en": "Outgoing e-mail (development)", "fr": "Courriels sortants (développement)"},
    "capture_warning": {
        "en": "E-mail is captured here instead of being sent (FLASK_MAIL_DELIVERY=capture).",
        "fr": "Les courriels sont conservés ici au lieu d'être envoyés (FLASK_MAIL_DELIVERY=capture).",
    },
    "no_mail": {"en": "No e-mail yet.", "fr": "Aucun courriel pour l'instant."},
    "to": {"en": "To", "fr": "À"},
    "subject": {"en": "Subject", "fr": "Objet"},
    "queued_at": {"en": "Queued at", "fr": "Mis en file à"},
    "error": {"en": "Error", "fr": "Erreur"},
    "back_home": {"en": "Back to the home page", "fr": "Retour à l'accueil"},
    "language": {"en": "Français", "fr": "English"},
    "unstorable_text": {"en": "Text may not contain NUL characters or unpaired surrogates.",
                        "fr": "Le texte ne peut contenir ni caractère NUL ni demi-caractère (surrogate) isolé."},
    "too_deep": {"en": "The data may not be nested more than {limit} levels deep.",
                 "fr": "Les données ne peuvent pas être imbriquées sur plus de {limit} niveaux."},
    "too_large": {"en": "The request is larger than {limit}, the most the service accepts.",
                  "fr": "La requête dépasse {limit}, la taille maximale acceptée par le service."},
    "too_many_requests": {"en": "Too many attempts. Try again in {seconds} seconds.",
                          "fr": "Trop de tentatives. Réessayez dans {seconds} secondes."},
    "database_unavailable": {"en": "The service cannot reach its database at the moment. Try again in a moment.",
                             "fr": "Le service ne peut pas joindre sa base de données pour l'instant. Réessayez dans un instant."},
}


def current_language() -> str:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    # A page opened from an e-mail speaks the language of the contact it was sent to.
    if g.get("recipient_language") in LANGUAGES:
        return g.recipient_language
    return request.accept_languages.best_match(LANGUAGES) or "en"


def translate(key: str, language: str | None = None) -> str:
    entry = TEXTS[key]
    return entry[language or current_language()]
