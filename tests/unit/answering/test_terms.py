from service.answering.terms import CorpusTerms, glossary, specific_terms, supported

TEXT = ("NATO established the Alliance Data Sharing Ecosystem (ADSE) for defence. Progress on the NATO Security "
        "Assistance and Training for Ukraine (NSATU) is underway. The command (the new one) opens soon.")


def test_specific_terms_are_names_acronyms_and_numbers():
    assert specific_terms("How many Patriot missiles did France order?") == ("Patriot", "France")
    assert specific_terms("How much military aid has New Zealand given Ukraine?") == ("New Zealand", "Ukraine")
    assert specific_terms("What is the name of Australia's defence minister?") == ("Australia",)
    assert specific_terms("what did allies pledge in 2024") == ("2024",)
    assert specific_terms("What is the GDP of Romania?") == ("GDP", "Romania")


def test_glossary_keeps_definitions_whose_initials_spell_the_acronym():
    assert glossary([TEXT]) == {"ADSE": "Alliance Data Sharing Ecosystem",
                                "NSATU": "NATO Security Assistance and Training for Ukraine"}


def test_an_acronym_is_supported_by_its_expansion_and_names_by_their_forms():
    acronyms = glossary([TEXT])
    text = "The NATO Security Assistance and Training for Ukraine command is being set up."
    assert supported("NSATU", text, text.lower(), acronyms)
    assert not supported("KFOR", text, text.lower(), acronyms)
    t = "Japanese and Australian counterparts met US Secretary Lloyd J. Austin III."
    for term in ("Japan", "Australians", "Lloyd Austin"):
        assert supported(term, t, t.lower(), {}), term
    assert not supported("France", t, t.lower(), {})
    assert supported("Asia-Pacific", "Indo-Pacific partners", "indo-pacific partners", {})


def test_corpus_vocabulary_and_acronym_expansion():
    corpus = CorpusTerms.of([TEXT])
    assert not corpus.uses("company") and corpus.uses("commands") and corpus.uses("NATO")
    assert "Alliance Data Sharing Ecosystem" in corpus.expanded("The ADSE will focus on four areas.")


def test_a_capitalised_word_the_corpus_writes_in_lower_case_is_not_a_name():
    corpus = CorpusTerms.of(["The help menu lists help for each program. Ask for help. Help is near.",
                             "The North Atlantic Treaty Organization (NATO) met. NATO and the Alliance agreed."])
    assert corpus.is_common_word("Help") and corpus.is_common_word("HELP")
    assert not corpus.is_common_word("Alliance") and not corpus.is_common_word("NATO")
    assert not corpus.is_common_word("North Atlantic")  # a name of several words stays a name


def test_a_name_written_without_its_accents_is_the_same_name():
    """SQuAD's "When did Tugh Temur die?" over "After the death of Tugh Temür in 1332": the corpus uses
    the name, and the sentence supports it (it was a name the corpus never uses, so the answerer refused)."""
    corpus = CorpusTerms.of(["After the death of Tugh Temür in 1332, Raphaël Hertzog wrote."])
    assert specific_terms("When did Tugh Temur die?") == ("Tugh Temur",)
    assert specific_terms("Who is Raphaël Hertzog?") == ("Raphael Hertzog",)  # not "Rapha", "l"
    assert corpus.names("Tugh Temur") and corpus.names("Raphael Hertzog")
    assert corpus.supports("Tugh Temur", "After the death of Tugh Temür in 1332")
    assert not corpus.names("Tugh Timor")


def test_an_acronym_of_a_phrase_the_corpus_spells_out_is_that_phrase():
    """Debian's MPL-2.0 never writes "(MPL)", so "Who is the license steward of the MPL?" refused: no
    passage named the MPL. An undefined acronym now stands for the capitalised phrase its letters begin."""
    corpus = CorpusTerms.of(["Mozilla Public License Version 2.0\n\nMozilla Foundation is the license steward.",
                             "The European Union and the European Union agreed; the Eastern Ukraine did not."])
    assert corpus.acronyms["MPL"] == "Mozilla Public License"
    assert corpus.acronyms["EU"] == "European Union"  # most of the phrases it could stand for
    assert corpus.names("MPL") and corpus.supports("MPL", "Mozilla Public License Version 2.0")
    assert "NATO" not in corpus.acronyms and not corpus.names("GPL")
    defined = CorpusTerms.of(["The Alliance Data Sharing Ecosystem (ADSE) and the Allied Defence Ministers."])
    assert defined.acronyms["ADSE"] == "Alliance Data Sharing Ecosystem"  # a definition wins
