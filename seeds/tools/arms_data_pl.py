"""Polish rows for arms-transfers seeds: KIND|SPLIT|title|text|note (see arms_build.py)."""

LANG = "pl"
ROWS = """
P|t|Kolejne czołgi K2 dotarły do Gdyni|Do portu w Gdyni przypłynęła następna partia czołgów K2 z Korei Południowej. Od 2026 roku wersja K2PL ma być produkowana w Bumarze-Łabędy na licencji Hyundai Rotem.|K2 tanks delivered, licensed production
P|t|MON podpisało umowę na 96 śmigłowców Apache|Minister obrony podpisał umowę z rządem USA na zakup 96 śmigłowców AH-64E wraz z uzbrojeniem i szkoleniem. Wartość kontraktu to około 10 miliardów dolarów. Pierwsze maszyny trafią do Polski w 2028 roku.|Apache purchase
P|t|Polska przekazała Ukrainie kolejne armatohaubice Krab|Ministerstwo Obrony Narodowej potwierdziło, że na Ukrainę trafiła następna partia Krabów, tym razem sfinansowana ze środków UE. Haubice wyprodukowano w Hucie Stalowa Wola. Ukraińscy artylerzyści chwalą ich celność.|Krab howitzers to Ukraine
P|t|Departament Stanu zgodził się na sprzedaż HIMARS Polsce|Amerykanie zatwierdzili możliwą sprzedaż 486 wyrzutni HIMARS, co może być jednym z największych kontraktów w historii programu.|HIMARS sale approval
P|t|Pioruny trafią do Stanów Zjednoczonych|Mesko podpisało pierwszą umowę na eksport przenośnych zestawów przeciwlotniczych Piorun do USA.|Piorun export
P|t|Polska kupuje kolejne czołgi Abrams|Pierwsze używane czołgi M1A1 z nowej umowy przypłynęły do Szczecina.|Abrams purchase
P|t|Korea Północna dostarcza Rosji pociski artyleryjskie|Wywiad Korei Południowej twierdzi, że Pjongjang przekazał Moskwie miliony pocisków.|DPRK shells to Russia
P|t|Iran przekazał Rosji drony Shahed|Biały Dom twierdzi, że Teheran dostarczył Rosji setki dronów i pomaga w budowie fabryki.|Iranian drones to Russia
P|t|Niemcy zgadzają się na wysłanie Leopardów|Rząd w Berlinie zatwierdził dostawę czołgów Leopard 2 na Ukrainę i wydał zgodę Polsce na przekazanie jej egzemplarzy.|Leopard re-export approval
P|t|Raport SIPRI: Polska w czołówce importerów broni|Według sztokholmskiego instytutu SIPRI import uzbrojenia przez Polskę wzrósł kilkukrotnie w ciągu pięciu lat.|SIPRI report
P|t|Straż Graniczna udaremniła przemyt broni z Ukrainy|Na przejściu w Dorohusku znaleziono karabiny i amunicję ukryte w samochodzie osobowym. Kierowca usłyszał zarzut przemytu. Broń miała trafić do odbiorcy w Niemczech.|Arms smuggling at border
P|t|Homar-K: umowa wykonawcza na wyrzutnie Chunmoo|Polska zamówiła kolejne wyrzutnie rakietowe Chunmoo z Korei, część z nich powstanie w kraju na podwoziu Jelcza.|Korean launchers with local build
P|t|Węgry blokują unijne pieniądze na broń dla Ukrainy|Budapeszt zablokował wypłatę z Europejskiego Instrumentu na rzecz Pokoju, z którego państwa UE odzyskują koszty przekazanego uzbrojenia.|EU arms aid funding blocked
P|t|Norwegia kupuje polskie amunicję i granaty|Norweskie wojsko zamówiło w polskiej spółce granaty ręczne i amunicję moździerzową.|Polish ammunition export
P|t|FA-50 dla Polski: pierwsze samoloty w Mińsku Mazowieckim|Lekkie myśliwce z Korei Południowej dotarły do 23. Bazy Lotnictwa Taktycznego.|FA-50 delivered to Poland
H|t|Zawieszenie broni w Strefie Gazy weszło w życie|Tysiące ludzi wracają do zniszczonych domów na północy.|Ceasefire
H|t|Legia ogłosiła transfer napastnika|Klub zapłacił za zawodnika 2 miliony euro. Zawodnik podpisał trzyletni kontrakt. Wcześniej grał w lidze portugalskiej.|Football transfer
H|t|Banki ostrzegają przed fałszywymi przelewami|Oszuści podszywają się pod pracowników banku i nakłaniają do przelewu pieniędzy.|Bank transfer scam
H|t|Strzelanina przed szkołą w Poznaniu|Policja zatrzymała 19-latka, który oddał strzały z wiatrówki.|Domestic shooting
H|t|Defilada z okazji Święta Wojska Polskiego|Ulicami Warszawy przejechały czołgi, wyrzutnie i transportery.|Military parade
H|t|Ćwiczenia Anakonda z udziałem 20 tysięcy żołnierzy|Żołnierze ćwiczą obronę wschodniej flanki NATO. W manewrach biorą udział także wojska sojusznicze. Ćwiczenia potrwają dwa tygodnie.|Military exercise
H|t|Budżet MON rekordowy: 4,7 proc. PKB|Rząd przyjął projekt budżetu z rekordowymi wydatkami na obronność. Dużą część wydatków pochłoną pensje i modernizacja koszar. Opozycja pyta o źródła finansowania.|Defence budget
H|t|Huta Stalowa Wola zwiększa produkcję dla wojska|Zakład otworzył nową halę produkcyjną, w której powstaną moździerze dla polskiej armii.|Domestic production
H|t|Nowy herb gminy zatwierdzony przez komisję|Herb przedstawia złotego jelenia na zielonym polu.|Coat of arms
H|t|Uczniowie walczą z alarmem smogowym|W Krakowie ogłoszono alarm smogowy trzeciego stopnia.|Alarm word
N|t|Inflacja w Polsce spadła do 3 procent|GUS podał nowe dane.|Inflation
N|t|Ulewy w południowej Polsce|Strażacy interweniowali ponad tysiąc razy. Na kilku rzekach ogłoszono stan alarmowy. Zamknięto część dróg lokalnych.|Storms
N|t|Nowe połączenie kolejowe do Berlina|Pociąg pojedzie w cztery godziny.|Railway
N|t|Polscy siatkarze mistrzami Europy|Reprezentacja wygrała w finale 3:1.|Volleyball
N|t|Ceny mieszkań w Warszawie rosną|Metr kwadratowy kosztuje średnio 16 tysięcy złotych.|Housing
N|t|Noc Muzeów przyciągnęła tłumy|W stolicy otwarto 250 placówek.|Museums
N|t|Rząd obniża podatek dla przedsiębiorców|Zmiany wejdą w życie od stycznia.|Tax
P|e|Polska zamawia kolejne haubice K9|Umowa obejmuje 152 armatohaubice.|K9 order
P|e|Rumunia kupuje polskie Pioruny|Umowa opiewa na kilkaset zestawów.|Piorun export to Romania
P|e|Czechy przekazały Ukrainie amunicję zakupioną poza UE|Polska pomaga w logistyce dostaw.|Czech ammo initiative
P|e|Pierwsze Apache dla Polski z dzierżawy|-|Apache lease delivered
H|e|Rozmowy o rozejmie bez przełomu|Delegacje spotkały się w Genewie.|Truce talks
H|e|Koszykarz ze złamaną ręką|Zawodnik opuści resztę sezonu.|Arm injury
H|e|Rosja przeprowadziła test rakiety|Pocisk wystrzelono z Płesiecka.|Missile test
N|e|Festiwal w Opolu zakończony|Koncert finałowy obejrzały miliony.|Music festival
H|t|Polska wstrzymuje import zboża z Ukrainy|Rząd przedłużył zakaz, by chronić rolników.|Grain imports
H|t|Polskie konwoje z pomocą humanitarną dotarły do Lwowa|Ciężarówki przywiozły żywność, leki i generatory.|Aid convoy
H|t|Eksport polskich jabłek rośnie|Największymi odbiorcami są Egipt i Arabia Saudyjska.|Trade exports
P|t|Polska sprzeda Ukrainie samobieżne haubice za kredyt|Umowa zostanie sfinansowana z pożyczki udzielonej przez Unię Europejską.|Howitzer sale to Ukraine
H|t|Zełenski w Warszawie: rozmowy o eksporcie zboża|Prezydenci rozmawiali o sporze wokół importu ukraińskiego zboża i tranzycie przez Polskę.|Diplomacy, grain
H|t|Ukraińcy w Polsce: coraz więcej pracuje legalnie|ZUS odnotował wzrost liczby ubezpieczonych obywateli Ukrainy.|Migrants
P|t|Polska kupi w USA kolejne zestawy Patriot|Departament Stanu zgodził się na sprzedaż 48 wyrzutni i setek pocisków.|Patriot purchase
"""
