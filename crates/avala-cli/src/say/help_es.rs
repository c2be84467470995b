//! The Spanish help of every command (`ABOUT`, by path; `path!after` for the text after a
//! command's long help) and argument (`ARGS`, by `path/id`; `*/id` for the global ones). The
//! English is the doc comments of `args.rs`; a test checks that nothing lacks its Spanish.

/// Commands, by path ("" is `avala` itself).
pub const ABOUT: &[(&str, &str)] = &[
    (
        "",
        "avala — flujo de certificación de estándares de competencia (EC1057 y otros).\n\n\
         Códigos de salida: 0 hecho; 1 rechazado (entrada inválida, una regla o un paso fuera de \
         orden; nada cambió); 2 error de uso; 3 conflicto (alguien cambió el registro antes; vuelva \
         a ejecutar); 4 no encontrado; 5 falla interna (base de datos o sistema de archivos).",
    ),
    (
        "init",
        "Crea y migra la base de datos; crea la configuración y la llave de firma del emisor",
    ),
    (
        "demo",
        "La cohorte EC1057 completa, de principio a fin, en una carpeta nueva (y en --db, si se da: una vacía)",
    ),
    (
        "standard",
        "Estándares de competencia: cargar un archivo, listar, mostrar",
    ),
    (
        "standard load",
        "Valida y carga un archivo de estándar (TOML; vea standards/README.md)",
    ),
    ("standard list", "Lista las versiones de estándares cargadas"),
    ("standard show", "Muestra la versión más reciente de un estándar"),
    ("staff", "El personal y sus funciones"),
    (
        "staff add",
        "Agrega a una persona al personal (la primera debe ser administradora)",
    ),
    ("staff list", "Lista al personal"),
    ("window", "Convocatorias de registro"),
    ("window create", "Crea una convocatoria (programada)"),
    ("window open", "Abre una convocatoria al registro"),
    ("window close", "Cierra una convocatoria"),
    ("window cancel", "Cancela una convocatoria"),
    ("window list", "Lista las convocatorias"),
    ("window show", "Muestra una convocatoria"),
    ("candidate", "Registra candidatos uno por uno o desde un archivo CSV"),
    (
        "candidate register",
        "Registra a un candidato en una convocatoria abierta",
    ),
    (
        "candidate import",
        "Importa un CSV (curp, name, email, institution, position, public_registry): todas las filas o ninguna",
    ),
    (
        "candidate link",
        "Da al candidato de una inscripción su enlace personal (un token, mostrado una vez; se guarda cifrado con hash)",
    ),
    ("diagnostic", "Registra una evaluación diagnóstica"),
    ("diagnostic record", "Registra el puntaje del diagnóstico (0–100)"),
    ("evaluation", "Planea una evaluación; registra los juicios por elemento"),
    (
        "evaluation plan",
        "Asigna evaluador y fecha; fija la versión del estándar",
    ),
    (
        "evaluation record",
        "Registra el juicio de un elemento (como evaluador asignado)",
    ),
    (
        "evaluation submit",
        "Entrega el instrumento completo: el juicio de cada elemento desde un CSV (columnas element, \
         competent, evidence, feedback) y el juicio final, de una vez (como evaluador asignado)",
    ),
    ("verdict", "Registra el juicio a partir de los juicios por elemento"),
    (
        "verdict record",
        "Registra el juicio: competente solo si cada elemento se juzgó competente",
    ),
    ("dictamen", "Emite un lote de dictamen"),
    (
        "dictamen issue",
        "Emite un lote: las inscripciones dadas, o todas las de la convocatoria que esperan dictamen",
    ),
    ("enrollment", "Muestra o lista inscripciones"),
    (
        "enrollment show",
        "Muestra una inscripción con los datos personales del candidato (la lectura queda en la bitácora)",
    ),
    ("enrollment list", "Lista inscripciones"),
    ("withdraw", "Retira una inscripción"),
    ("certificate", "Certificados"),
    ("certificate list", "Lista certificados"),
    ("certificate show", "Muestra un certificado"),
    (
        "certificate verify",
        "Comprueba un certificado: un PDF, un folio (o código de verificación) o el token del código QR",
    ),
    (
        "certificate verify!after",
        "Códigos de salida: 0 válido; 10 revocado; 11 repuesto por una reposición; 12 vencido; \
         13 alterado (la firma falla, o el archivo o su contenido difieren de lo emitido); 14 firmado \
         por una llave que no es del emisor; 4 no encontrado; 1 la solicitud misma no era válida.\n\n\
         Sin base de datos (o con --offline) se comprueban la firma y la vigencia con --public-key o \
         la llave local del emisor, y la respuesta dice qué no pudo comprobarse.",
    ),
    ("certificate revoke", "Revoca un certificado (administración)"),
    (
        "certificate reissue",
        "Repone un certificado: un folio nuevo sustituye al anterior y se envía por correo al titular, \
         con el nombre o la CURP corregidos si se dan (administración)",
    ),
    (
        "certificate export",
        "Exporta un certificado como AchievementCredential de Open Badges 3.0 (`--format ob3`), firmado \
         con la llave del emisor (Data Integrity, eddsa-jcs-2022). `verify` acepta el archivo",
    ),
    (
        "certificate expiring",
        "Certificados vigentes cuya vigencia termina dentro de DÍAS días",
    ),
    ("keys", "Las llaves de firma del emisor"),
    (
        "keys show",
        "La llave de firma actual del emisor y cada llave pública que verifica sus certificados",
    ),
    (
        "keys rotate",
        "Sustituye la llave de firma; las llaves públicas anteriores siguen verificando lo que firmaron (administración)",
    ),
    (
        "keys check",
        "Comprueba que la llave de firma existe, es privada (permisos 0600) y es la registrada en la base de datos",
    ),
    (
        "jobs",
        "La bandeja de salida: generación, correo y tareas programadas que ejecuta avala-runner",
    ),
    (
        "jobs list",
        "Las tareas de la bandeja de salida, las más recientes primero",
    ),
    (
        "jobs show",
        "Una tarea con cada intento (cuándo, qué ejecutor, qué respondió el servidor de correo)",
    ),
    (
        "jobs retry",
        "Devuelve a la cola una tarea muerta con un nuevo presupuesto de intentos, o todas con --dead (administración)",
    ),
    (
        "jobs cancel",
        "Cancela una tarea en cola para que nunca se ejecute (administración)",
    ),
    ("report", "Conteos por etapa o por institución"),
    ("audit", "La bitácora"),
    (
        "audit verify",
        "Recorre cada flujo de la bitácora, recalcula cada eslabón y compara la bitácora con cada \
         punto de control guardado y con cada archivo de punto de control dado; reconstruye cada \
         inscripción, certificado y convocatoria desde sus eventos y lo compara con las tablas; \
         nombra todo lo que no coincide",
    ),
    (
        "audit checkpoint",
        "Toma un punto de control firmado de la bitácora (la longitud y la cabeza de cada flujo bajo \
         una raíz de Merkle, firmadas con la llave del emisor), lo guarda y lo escribe en un archivo \
         para conservarlo",
    ),
    ("audit checkpoints", "Lista los puntos de control guardados"),
    (
        "audit prove",
        "Imprime una prueba de inclusión de un evento: el evento, las huellas que lo ligan a la \
         cabeza de su flujo y la ruta de Merkle a la raíz de un punto de control firmado; se \
         comprueba con la llave pública del emisor y sin base de datos",
    ),
    (
        "audit verify-proof",
        "Comprueba una prueba de inclusión: con --public-key, sin ninguna base de datos",
    ),
    ("cohort", "Cohortes sintéticas para pruebas y mediciones"),
    (
        "cohort generate",
        "Imprime un CSV de cohorte sintética con CURP válidas",
    ),
];

/// Arguments, by `path/id`.
pub const ARGS: &[(&str, &str)] = &[
    (
        "*/db",
        "Base de datos: la ruta de un archivo SQLite, o postgres://usuario@servidor/bd",
    ),
    (
        "*/actor",
        "La persona del personal que actúa (su id, como en `avala staff list`)",
    ),
    ("*/format", "Formato de salida de listados y resultados"),
    (
        "*/lang",
        "Idioma de todo lo que lee una persona: es (español, el predeterminado) o en",
    ),
    (
        "init/issuer",
        "El nombre del organismo certificador (impreso en los certificados)",
    ),
    (
        "init/place",
        "Dónde se emiten los dictámenes (impreso en los certificados)",
    ),
    ("init/mail_from", "Dirección remitente de los correos a candidatos"),
    (
        "demo/dir",
        "La carpeta que se crea (no debe contener ya una demostración)",
    ),
    (
        "demo/candidates",
        "Número de candidatos (334 es la cohorte EC1057 incluida; los demás se generan)",
    ),
    ("standard load/file", "El archivo TOML del estándar"),
    ("standard show/code", "El código del estándar (EC1057)"),
    ("staff add/id", "El id de la persona (letras, dígitos, punto, guion)"),
    ("staff add/name", "Su nombre completo"),
    ("staff add/email", "Su correo electrónico"),
    ("staff add/roles", "admin, evaluator o verifier (repita para varias)"),
    ("window create/standard", "El código del estándar (EC1057)"),
    (
        "window create/opens",
        "Instante de apertura (2026-11-23 09:00 en --tz, o RFC 3339)",
    ),
    ("window create/closes", "Instante de cierre"),
    ("window create/tz", "Zona horaria de la convocatoria (nombre IANA)"),
    ("window create/capacity", "Número máximo de inscripciones"),
    ("window open/id", "La convocatoria"),
    ("window close/id", "La convocatoria"),
    ("window cancel/id", "La convocatoria"),
    ("window show/id", "La convocatoria"),
    ("candidate register/window", "La convocatoria"),
    ("candidate register/curp", "CURP (18 caracteres)"),
    (
        "candidate register/passport",
        "Número de pasaporte, para candidatos extranjeros sin CURP",
    ),
    ("candidate register/name", "Nombre completo"),
    ("candidate register/email", "Correo electrónico"),
    ("candidate register/institution", "Institución (sujeto obligado)"),
    ("candidate register/position", "Cargo"),
    (
        "candidate register/public_registry",
        "El candidato consiente aparecer en el registro público",
    ),
    ("candidate import/window", "La convocatoria"),
    ("candidate import/file", "El archivo CSV"),
    ("candidate import/dry_run", "Valida e informa sin escribir nada"),
    ("candidate link/enrollment", "La inscripción"),
    ("diagnostic record/enrollment", "La inscripción"),
    ("diagnostic record/score", "El puntaje, de 0 a 100"),
    ("evaluation plan/enrollment", "La inscripción"),
    ("evaluation plan/evaluator", "El id del evaluador"),
    (
        "evaluation plan/at",
        "Cuándo tiene lugar la evaluación (2026-11-30 10:00, o RFC 3339)",
    ),
    (
        "evaluation plan/tz",
        "Zona horaria de --at cuando no lleva desfase (si no se da, la de la convocatoria)",
    ),
    ("evaluation record/enrollment", "La inscripción"),
    ("evaluation record/element", "El código del elemento (E0001)"),
    ("evaluation record/competent", "El elemento se juzga competente"),
    (
        "evaluation record/not_yet_competent",
        "El elemento se juzga todavía no competente",
    ),
    ("evaluation record/evidence", "La evidencia considerada"),
    ("evaluation record/feedback", "La retroalimentación para el candidato"),
    ("evaluation submit/enrollment", "La inscripción"),
    ("evaluation submit/file", "El instrumento, una fila por elemento"),
    ("verdict record/enrollment", "La inscripción"),
    ("dictamen issue/window", "La convocatoria"),
    (
        "dictamen issue/enrollments",
        "Una inscripción del lote (repita para varias)",
    ),
    ("dictamen issue/procede", "El dictamen procede"),
    ("dictamen issue/no_procede", "El dictamen no procede"),
    ("enrollment show/id", "La inscripción"),
    ("enrollment list/window", "Solo las de esta convocatoria"),
    (
        "enrollment list/state",
        "registered, diagnosed, evaluation_planned, under_evaluation, not_yet_competent, \
         submitted_for_dictamen, dictamen_rejected, certificate_issued, delivered, withdrawn",
    ),
    ("withdraw/enrollment", "La inscripción"),
    ("withdraw/reason", "El motivo"),
    ("certificate list/window", "Solo los de esta convocatoria"),
    ("certificate show/folio", "El folio"),
    (
        "certificate verify/target",
        "Un PDF de certificado o un archivo JSON de Open Badges 3.0, o un folio o código de verificación",
    ),
    (
        "certificate verify/token",
        "El token leído del código QR del certificado (o la dirección que contiene)",
    ),
    (
        "certificate verify/offline",
        "No consultar la base de datos: comprobar solo lo que el documento mismo prueba",
    ),
    (
        "certificate verify/public_keys",
        "Una llave pública del emisor (64 dígitos hexadecimales, como la imprime `avala keys show`) para comprobar sin conexión",
    ),
    ("certificate revoke/folio", "El folio"),
    ("certificate revoke/reason", "Por qué (se muestra a quien lo verifique)"),
    ("certificate reissue/folio", "El folio que se repone"),
    ("certificate reissue/name", "El nombre corregido"),
    ("certificate reissue/curp", "La CURP corregida"),
    ("certificate export/folio", "El folio"),
    (
        "certificate export/output",
        "Escribir en este archivo en lugar de la salida estándar",
    ),
    ("certificate expiring/within", "Días"),
    ("jobs list/state", "queued, running, done o dead"),
    ("jobs list/limit", "Cuántas como máximo"),
    ("jobs show/id", "La tarea"),
    ("jobs retry/id", "La tarea"),
    (
        "audit verify/checkpoints",
        "Un archivo de punto de control guardado fuera de la base de datos (repetible): cada flujo \
         que cubre debe seguir existiendo, con al menos esa longitud y la misma huella ahí",
    ),
    (
        "audit checkpoint/out",
        "Escribe aquí el archivo del punto de control (JSON; lo describe docs/AUDIT.md)",
    ),
    (
        "audit checkpoint/id",
        "No toma uno nuevo: escribe otra vez en el archivo el punto de control guardado ID",
    ),
    (
        "audit prove/stream",
        "El flujo (enrollment:5, certificate:12, window:1…)",
    ),
    ("audit prove/seq", "El número de secuencia del evento en su flujo"),
    (
        "audit prove/checkpoint",
        "Lo prueba en este archivo de punto de control (si no, el último guardado)",
    ),
    ("audit prove/out", "Escribe aquí la prueba en lugar de imprimirla"),
    ("audit verify-proof/file", "El archivo de la prueba"),
    (
        "audit verify-proof/public_key",
        "La llave pública del emisor (hex), como se publica; sin ella, el juego de llaves de la base de datos",
    ),
    ("jobs retry/dead", "Todas las tareas muertas (cuando la falla ya pasó)"),
    (
        "jobs retry/kind",
        "Con --dead: solo las tareas de este tipo (render_certificate, deliver_certificate, notify)",
    ),
    ("jobs cancel/id", "La tarea"),
    ("report/window", "Solo esta convocatoria"),
    (
        "report/by",
        "Agrupar por etapa del proceso o por institución, o listar solo los procesos que pasaron un \
         plazo de CONOCER (juicio 8 días después de la evaluación, dictamen 30 días después del juicio, \
         entrega 5 días hábiles después del dictamen)",
    ),
    (
        "report/open_data",
        "Agregados para publicar: los conteos menores que 5 se suprimen",
    ),
    ("cohort generate/count", "Cuántos candidatos"),
    (
        "cohort generate/seed",
        "La semilla (la misma semilla da la misma cohorte)",
    ),
];
