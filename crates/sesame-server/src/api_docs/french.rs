//! French for every text of the OpenAPI document (English there, as written in the
//! handlers' doc comments). A unit test fails when a text has no translation, so a new
//! endpoint cannot ship with an English-only French page.

pub fn translate(english: &str) -> Option<&'static str> {
    TRANSLATIONS.iter().find(|(en, _)| *en == english).map(|(_, fr)| *fr)
}

const TRANSLATIONS: &[(&str, &str)] = &[
    (
        "A console session's id: used to end it (never its token).",
        "L'identifiant d'une session de console : il sert à y mettre fin (jamais son jeton).",
    ),
    (
        "A console session.",
        "Une session de console.",
    ),
    (
        "A user of the organization.",
        "Un utilisateur de l'organisation.",
    ),
    (
        "An API key (never its secret).",
        "Une clé API (jamais son secret).",
    ),
    (
        "One event of the activity log.",
        "Un événement du journal d'activité.",
    ),
    (
        "The session making this request (always false through the API).",
        "La session qui fait cette requête (toujours faux par l'API).",
    ),
    (
        "What a user may do: an administrator manages their organization's users.",
        "Ce qu'un utilisateur peut faire : un administrateur gère les utilisateurs de son organisation.",
    ),
    (
        "What happened.",
        "Ce qui s'est passé.",
    ),
    (
        "Whether an account may be used: a disabled user cannot sign in, and their keys are refused, until enabled again.",
        "Si un compte peut servir : un utilisateur désactivé ne peut pas se connecter, et ses clés sont refusées, jusqu'à ce qu'il soit réactivé.",
    ),
    (
        "8 to 256 characters.",
        "8 à 256 caractères.",
    ),
    (
        "A key by id and name (never its secret).",
        "Une clé par son identifiant et son nom (jamais son secret).",
    ),
    (
        "Changed; the owner's console sessions are ended",
        "Changé ; les sessions de console du propriétaire sont terminées",
    ),
    (
        "Changes the key owner's password; every console session of theirs ends.",
        "Change le mot de passe du propriétaire de la clé ; toutes ses sessions de console prennent fin.",
    ),
    (
        "No such session of the key's owner",
        "Aucune session de ce nom pour le propriétaire de la clé",
    ),
    (
        "One page of events, newest first",
        "Une page d'événements, du plus récent au plus ancien",
    ),
    (
        "Signs one of the key owner's console sessions out.",
        "Déconnecte une des sessions de console du propriétaire de la clé.",
    ),
    (
        "The activity the key's owner may see, newest first.",
        "L'activité que le propriétaire de la clé peut voir, de la plus récente à la plus ancienne.",
    ),
    (
        "The key owner's live console sessions, most recently seen first.",
        "Les sessions de console actives du propriétaire de la clé, de la plus récemment vue à la plus ancienne.",
    ),
    (
        "The new role for `user_role_changed`.",
        "Le nouveau rôle pour `user_role_changed`.",
    ),
    (
        "The session is ended",
        "La session est terminée",
    ),
    (
        "The session's id",
        "L'identifiant de la session",
    ),
    (
        "The sessions",
        "Les sessions",
    ),
    (
        "What happened, and who did it",
        "Ce qui s'est passé, et qui l'a fait",
    ),
    (
        "Who did it (username); null for a failed login.",
        "Qui l'a fait (nom d'utilisateur) ; null pour une connexion échouée.",
    ),
    (
        "Whom it concerns (username).",
        "Qui est concerné (nom d'utilisateur).",
    ),
    (
        "Within about a minute.",
        "À une minute près environ.",
    ),
    (
        "The new password is invalid (`context.field`)",
        "Le nouveau mot de passe est invalide (`context.field`)",
    ),
    ("The current password is not correct", "Le mot de passe actuel est incorrect"),
    (
        "`login_succeeded`, `login_failed`, `logout`, `key_created`, `key_renamed`, `key_deleted`, `password_changed`, `user_created`, `user_disabled`, `user_enabled`, `user_role_changed`.",
        "`login_succeeded`, `login_failed`, `logout`, `key_created`, `key_renamed`, `key_deleted`, `password_changed`, `user_created`, `user_disabled`, `user_enabled`, `user_role_changed`.",
    ),
    (
        "Too many failed authentications from this address, or too many requests with this key",
        "Trop d'authentifications échouées depuis cette adresse, ou trop de requêtes avec cette clé",
    ),
    ("Seconds to wait before retrying", "Secondes à attendre avant de réessayer"),
    (
        "1 to 100 characters, no control characters, unique among the owner's keys (ignoring case); spaces around it are dropped.",
        "1 à 100 caractères, sans caractère de contrôle, unique parmi les clés du propriétaire (sans tenir compte de la casse) ; les espaces autour sont retirés.",
    ),
    (
        "1 to 100 characters, no control characters.",
        "1 à 100 caractères, sans caractère de contrôle.",
    ),
    (
        "1 to 64 letters, digits, `.`, `_` or `-`; unique, ignoring case.",
        "1 à 64 lettres, chiffres, `.`, `_` ou `-` ; unique, sans tenir compte de la casse.",
    ),
    (
        "A disabled user cannot sign in, and their keys are refused, until enabled again.",
        "Un utilisateur désactivé ne peut pas se connecter et ses clés sont refusées, jusqu'à sa réactivation.",
    ),
    (
        "A field is invalid (named in `context.field`)",
        "Un champ est invalide (nommé dans `context.field`)",
    ),
    (
        "A key just created: the only answer that ever contains its secret.",
        "Une clé qui vient d'être créée : la seule réponse qui contienne jamais son secret.",
    ),
    (
        "A new user in the administrator's organization.",
        "Un nouvel utilisateur dans l'organisation de l'administrateur.",
    ),
    (
        "An API key from User settings → API credentials",
        "Une clé API de Paramètres de l'utilisateur → Identifiants d'API",
    ),
    (
        "Bad page parameters",
        "Paramètres de page invalides",
    ),
    (
        "Changes a user's role or status (administrators only, not on themselves). Takes effect at once: the user's keys act with the new role on their next request; disabling ends the user's sessions and refuses their keys until they are enabled again.",
        "Change le rôle ou le statut d'un utilisateur (administrateurs seulement, pas sur eux-mêmes). Prend effet aussitôt : les clés de l'utilisateur agissent avec le nouveau rôle dès leur requête suivante ; la désactivation met fin aux sessions de l'utilisateur et fait refuser ses clés jusqu'à sa réactivation.",
    ),
    (
        "Creates a user in the administrator's organization (administrators only).",
        "Crée un utilisateur dans l'organisation de l'administrateur (administrateurs seulement).",
    ),
    (
        "Deletes one of the owner's keys. From the moment this answers, every request with the key gets 401, on every node.",
        "Supprime une des clés du propriétaire. Dès cette réponse, toute requête avec la clé reçoit 401, sur tous les nœuds.",
    ),
    (
        "Details: `field` names the input at fault for `invalid_request` and `conflict`.",
        "Détails : `field` nomme la donnée en cause pour `invalid_request` et `conflict`.",
    ),
    (
        "Every failure: `{\"errors\": [{code, message, context}]}`.",
        "Tout échec : `{\"errors\": [{code, message, context}]}`.",
    ),
    (
        "For people; may change.",
        "Pour les personnes ; peut changer.",
    ),
    (
        "Generates a key for the key's owner. The body is optional.",
        "Génère une clé pour le propriétaire de la clé. Le corps est facultatif.",
    ),
    (
        "How many items per page (default 100, at most 500).",
        "Nombre d'éléments par page (100 par défaut, 500 au plus).",
    ),
    (
        "How many items the whole list has.",
        "Nombre d'éléments de la liste entière.",
    ),
    (
        "How to authenticate: `MC-Api-Key` or `Bearer`",
        "Comment s'authentifier : `MC-Api-Key` ou `Bearer`",
    ),
    (
        "Invalid name or body",
        "Nom ou corps invalide",
    ),
    (
        "Manage your API keys and your organization's users. Every request carries an API key in the `MC-Api-Key` header (or `Authorization: Bearer`); the key acts with exactly its owner's privileges. Success: `{\"data\": …}`; failure: `{\"errors\": [{\"code\", \"message\", \"context\"}]}`.",
        "Gérez vos clés API et les utilisateurs de votre organisation. Chaque requête porte une clé API dans l'en-tête `MC-Api-Key` (ou `Authorization: Bearer`) ; la clé agit avec exactement les privilèges de son propriétaire. Succès : `{\"data\": …}` ; échec : `{\"errors\": [{\"code\", \"message\", \"context\"}]}`.",
    ),
    (
        "Missing or invalid key",
        "Clé absente ou invalide",
    ),
    (
        "No such key among the owner's",
        "Aucune clé de ce propriétaire ne correspond",
    ),
    (
        "No such user in the administrator's organization",
        "Aucun utilisateur de ce nom dans l'organisation de l'administrateur",
    ),
    (
        "No such user visible to the key's owner",
        "Aucun utilisateur correspondant visible du propriétaire de la clé",
    ),
    (
        "Nothing to change, or an invalid value",
        "Rien à changer, ou une valeur invalide",
    ),
    (
        "One object.",
        "Un objet.",
    ),
    (
        "One page of a list.",
        "Une page d'une liste.",
    ),
    (
        "One page of keys",
        "Une page de clés",
    ),
    (
        "One page of users, oldest first",
        "Une page d'utilisateurs, du plus ancien au plus récent",
    ),
    (
        "One user: an administrator may read anyone in their organization; a user, themself.",
        "Un utilisateur : un administrateur peut lire tout membre de son organisation ; un utilisateur, lui-même.",
    ),
    (
        "One's own account, or the organization's last active administrator",
        "Son propre compte, ou le dernier administrateur actif de l'organisation",
    ),
    (
        "Optional: the new key's name",
        "Facultatif : le nom de la nouvelle clé",
    ),
    (
        "Renames one of the owner's keys.",
        "Renomme une des clés du propriétaire.",
    ),
    (
        "Stable, snake_case: `invalid_request`, `invalid_credentials`, `forbidden`, `not_found`, `conflict`, `payload_too_large`, `too_many_requests`, `service_unavailable`, `internal_error`.",
        "Stable, en snake_case : `invalid_request`, `invalid_credentials`, `forbidden`, `not_found`, `conflict`, `payload_too_large`, `too_many_requests`, `service_unavailable`, `internal_error`.",
    ),
    (
        "The body is larger than 64 KiB",
        "Le corps dépasse 64 Kio",
    ),
    (
        "The client address of that last use; null if never.",
        "L'adresse du client lors de cette dernière utilisation ; null si jamais.",
    ),
    (
        "The database is unavailable; retry shortly",
        "La base de données est indisponible ; réessayez sous peu",
    ),
    (
        "The initial password: 8 to 256 characters.",
        "Le mot de passe initial : 8 à 256 caractères.",
    ),
    (
        "The key is deleted",
        "La clé est supprimée",
    ),
    (
        "The key itself, to send as `MC-Api-Key`. Shown once: store it now.",
        "La clé elle-même, à envoyer dans `MC-Api-Key`. Montrée une seule fois : conservez-la maintenant.",
    ),
    (
        "The key owner's API keys",
        "Les clés API du propriétaire de la clé",
    ),
    (
        "The key owner's keys, oldest first.",
        "Les clés du propriétaire de la clé, de la plus ancienne à la plus récente.",
    ),
    (
        "The key's id",
        "L'identifiant de la clé",
    ),
    (
        "The key's owner",
        "Le propriétaire de la clé",
    ),
    (
        "The key's owner is not an administrator",
        "Le propriétaire de la clé n'est pas administrateur",
    ),
    (
        "The key, with its secret (shown this once)",
        "La clé, avec son secret (montré cette seule fois)",
    ),
    (
        "The most items a page holds.",
        "Le nombre maximal d'éléments d'une page.",
    ),
    (
        "The organization's users",
        "Les utilisateurs de l'organisation",
    ),
    (
        "The owner already has a key with this name",
        "Le propriétaire a déjà une clé de ce nom",
    ),
    (
        "The page returned, from 1.",
        "La page renvoyée, à partir de 1.",
    ),
    (
        "The page to return, from 1 (default 1).",
        "La page à renvoyer, à partir de 1 (1 par défaut).",
    ),
    (
        "The renamed key",
        "La clé renommée",
    ),
    (
        "The same API key as a bearer token",
        "La même clé API, comme jeton bearer",
    ),
    (
        "The user",
        "L'utilisateur",
    ),
    (
        "The user as changed",
        "L'utilisateur après le changement",
    ),
    (
        "The user the key acts as.",
        "L'utilisateur au nom duquel la clé agit.",
    ),
    (
        "The user was created",
        "L'utilisateur a été créé",
    ),
    (
        "The user's id",
        "L'identifiant de l'utilisateur",
    ),
    (
        "The username is taken",
        "Ce nom d'utilisateur est déjà pris",
    ),
    (
        "The users the key's owner may see: an administrator, the organization's; a user, only themself.",
        "Les utilisateurs que le propriétaire de la clé peut voir : pour un administrateur, ceux de l'organisation ; pour un utilisateur, lui seul.",
    ),
    (
        "Up to 100 characters, no control characters, unique among the owner's keys (ignoring case); spaces around it are dropped. Absent or blank: a name like `api_key_3kq9x2ab`.",
        "Jusqu'à 100 caractères, sans caractère de contrôle, unique parmi les clés du propriétaire (sans tenir compte de la casse) ; les espaces autour sont retirés. Absent ou vide : un nom comme `api_key_3kq9x2ab`.",
    ),
    (
        "What to change; at least one of the two.",
        "Ce qu'il faut changer ; au moins l'un des deux.",
    ),
    (
        "When the key was last used (within about a second); null if never.",
        "Quand la clé a servi pour la dernière fois (à une seconde près environ) ; null si jamais.",
    ),
    (
        "Where this page sits in the whole list.",
        "La place de cette page dans la liste entière.",
    ),
];
