"""The figures printed as the run goes: the load and the index, the sizes on disk,
the memory, the profile."""

from __future__ import annotations


def print_load(report: dict) -> None:
    loads = report["loads"]
    print(
        f"\nProjets : {report['projects']['partner_records']} enregistrements partenaires, "
        f"{report['projects']['live']} projets en ligne"
    )
    for number, figures in enumerate(loads, 1):
        fresh = "" if figures is report.get("load") else " (chargement précédent)"
        print(
            f"Import {number}{fresh} : {figures['records']} enregistrements en "
            f"{figures['files']} fichiers, {figures['seconds']:.0f} s dans import_file "
            f"({figures['wall_seconds']:.0f} s de bout en bout) → {figures['rate']} enr./s "
            f"(premier fichier {figures['first_file_rate']}, "
            f"dernier {figures['last_file_rate']}) ; "
            f"dont indexation finale des imports {figures['index_seconds']:.0f} s ; "
            f"{figures['rejected']} lignes rejetées ; tout par le service d'import réel"
        )
        if figures.get("stopped_for_budget"):
            stop = figures["stopped_for_budget"]
            print(
                f"  ARRÊTÉ au budget de chargement : {stop['projects']} projets, "
                f"il aurait fallu encore {stop['projected_seconds'] / 60:.0f} min"
            )
    index = report["index"]
    reused = " (index réutilisé : mesure précédente)" if index.get("reused") else ""
    print(
        f"search_reindex{reused} : {index['documents']} documents en {index['command_seconds']} s "
        f"({index['rate']} documents/s ; {index['seconds']} s avec le démarrage de manage.py)"
    )


def print_sizes(sizes: dict, database: dict) -> None:
    for index in sizes["indices"]:
        alias = [a for a, i in sizes["aliases"].items() if i == index["index"]]
        print(
            f"Index {index['index']} ({', '.join(alias) or 'sans alias'}) : {index['documents']} "
            f"documents ({index['deleted']} supprimés), {index['store_mb']} Mo sur disque "
            f"avec les répliques, {index['primary_mb']} Mo primaires, shards {index['shards']}"
        )
    print(f"Base PostgreSQL : {database['database_mb']} Mo ; plus grosses tables :")
    for table in database["tables"]:
        print(
            f"  {table['table']:<42} {table['total_mb']:>8.1f} Mo "
            f"(données {table['heap_mb']:.1f} Mo, ~{table['rows']} lignes)"
        )


def print_memory(label: str, figures: dict[str, float]) -> None:
    print(f"Mémoire résidente ({label}) :")
    for name, mb in figures.items():
        print(f"  {name:<48} {mb:>8.1f} Mo")


def print_profile(figures: dict) -> None:
    if "error" in figures:
        print(f"  {figures['error']}")
        return
    load_ = figures["load"]
    print(
        f"  charge pendant le profil : {load_['clients']} clients, {load_['rps']} req/s, "
        f"p95 {load_['p95_ms']} ms ; {figures['samples']:.1f} s de piles échantillonnées "
        f"(100 Hz, fils actifs des {len(figures['files'])} workers) ; "
        f"fichiers {', '.join(figures['files'])}"
    )
    for error in figures["errors"]:
        print(f"  py-spy : {error}")
    print("  temps propre (où les échantillons s'arrêtent) :")
    for name, share in figures["self"]:
        print(f"    {share:5.1f} %  {name}")
    print("  code du projet (temps inclus) :")
    for name, share in figures["inclusive_project"]:
        print(f"    {share:5.1f} %  {name}")
