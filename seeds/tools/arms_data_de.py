"""German rows for arms-transfers seeds: KIND|SPLIT|title|text|note (see arms_build.py)."""

LANG = "de"
ROWS = """
P|t|Bundesregierung genehmigt Lieferung von Eurofighter an Saudi-Arabien|Berlin gibt seinen Widerstand gegen den Verkauf von 48 Eurofightern an Riad auf, wie Regierungskreise bestätigten. Der Bundessicherheitsrat hatte die Exporte jahrelang blockiert.|Export approval, Eurofighter
P|t|Weitere Leopard-1-Panzer in der Ukraine eingetroffen|Die gemeinsam mit Dänemark finanzierte Lieferung umfasst nach Angaben des Verteidigungsministeriums 25 instandgesetzte Kampfpanzer.|Leopard tanks delivered
P|t|Rüstungsexporte erreichen Rekordwert|Die Bundesregierung hat im vergangenen Jahr Rüstungsexporte im Wert von über zwölf Milliarden Euro genehmigt. Größter Empfänger war die Ukraine, gefolgt von Norwegen und Ungarn.|Arms export approvals report
P|t|Scholz lehnt Taurus-Lieferung weiter ab|Der Kanzler bekräftigte, dass Deutschland keine Taurus-Marschflugkörper an die Ukraine liefern werde, obwohl die Union erneut einen Antrag im Bundestag einbrachte. Er begründete dies mit der Sorge vor einer Eskalation. Großbritannien und Frankreich liefern dagegen bereits Marschflugkörper an Kiew.|Refusal to deliver cruise missiles
P|t|Ukraine erhält weiteres IRIS-T-System|Das von Diehl Defence hergestellte Luftverteidigungssystem wurde im Rahmen der Ertüchtigungsinitiative übergeben.|Air defence delivered
P|t|Nordkorea liefert Artilleriegranaten an Russland|Nach Erkenntnissen südkoreanischer Geheimdienste hat Pjöngjang Millionen Schuss Artilleriemunition an Moskau geliefert.|DPRK shells to Russia
P|t|Iranische Drohnen: EU verhängt neue Sanktionen|Die EU sanktioniert Firmen, die an der Lieferung von Shahed-Drohnen an Russland beteiligt sein sollen.|Sanctions over drone transfers
P|t|Polen bestellt weitere Kampfpanzer in Südkorea|Warschau hat einen weiteren Rahmenvertrag über 180 K2-Panzer unterzeichnet; ein Teil soll in Polen in Lizenz gebaut werden. Die ersten Fahrzeuge aus dem neuen Vertrag sollen 2026 ausgeliefert werden. Polen ist damit größter Kunde der koreanischen Rüstungsindustrie.|Poland orders Korean tanks
P|t|Schweiz verbietet Weitergabe von Munition an die Ukraine|Der Bundesrat hat erneut abgelehnt, dass Deutschland in der Schweiz hergestellte Gepard-Munition an Kiew weitergibt.|Re-export ban
P|t|SIPRI: Europa importiert so viele Waffen wie lange nicht|Laut dem Stockholmer Friedensforschungsinstitut haben sich die Rüstungsimporte europäischer Staaten innerhalb von fünf Jahren fast verdoppelt.|SIPRI report
P|t|Gericht prüft Waffenexporte nach Israel|Das Verwaltungsgericht Berlin befasst sich mit Eilanträgen gegen Genehmigungen für Rüstungslieferungen an Israel.|Court case on arms exports
P|t|Zoll stoppt Schmuggel von Gewehrteilen nach Libyen|Ermittler entdeckten in einem Container im Hamburger Hafen Waffenteile, die gegen das UN-Embargo nach Libyen verschifft werden sollten. Die Teile waren als Maschinenersatzteile deklariert. Gegen zwei Geschäftsführer wird wegen Verstoßes gegen das Außenwirtschaftsgesetz ermittelt.|Embargo smuggling
P|t|Rheinmetall liefert Skyranger an Ukraine|Der erste Flugabwehrpanzer Skyranger auf Leopard-1-Fahrgestell wurde an Kiew übergeben, finanziert aus Mitteln der Bundesregierung.|Rheinmetall delivery to Ukraine
P|t|Neue Exportrichtlinien: Regierung will Ausfuhren an Partner erleichtern|Das Wirtschaftsministerium will Genehmigungen für Rüstungsexporte in enge Partnerstaaten wie Japan und Südkorea beschleunigen.|Export licensing rules
P|t|Indonesien kauft französische Kampfjets|Jakarta hat die letzte Tranche des Rafale-Vertrags aktiviert.|Indonesia buys Rafale
H|t|Waffenruhe im Gazastreifen hält vorerst|Nach Beginn der Waffenruhe kehrten zahlreiche Menschen in den Norden des Gebiets zurück. Hilfsorganisationen brachten Lebensmittel und Medikamente in das Gebiet. Beide Seiten warfen sich vereinzelte Verstöße vor.|Ceasefire
H|t|Bayern verpflichtet Stürmer für 50 Millionen Euro|Der Transfer des Angreifers aus der Premier League ist perfekt, teilte der Rekordmeister mit.|Football transfer
H|t|Echtzeitüberweisung wird Pflicht für alle Banken|Ab Oktober müssen Banken Überweisungen innerhalb von zehn Sekunden ausführen, ohne Aufpreis.|Bank transfer
H|t|Armutsbericht: Jedes fünfte Kind gilt als arm|Der Paritätische Wohlfahrtsverband warnt, dass die Armut in Deutschland auf hohem Niveau verharrt. Besonders betroffen sind Alleinerziehende. Der Verband fordert eine Kindergrundsicherung ohne Abstriche.|Arm = poor
H|t|Innenministerin will Waffengesetz verschärfen|Nach dem Anschlag sollen Messer in Bahnhöfen verboten und Waffenbesitzer strenger kontrolliert werden.|Domestic gun law
H|t|Bundeswehr übt an der NATO-Ostflanke|Rund 12.000 Soldaten nehmen an der Übung Quadriga in Litauen teil.|Military exercise
H|t|Verteidigungsetat steigt auf 53 Milliarden Euro|Der Haushaltsausschuss hat den Wehretat für das kommende Jahr beschlossen.|Defence budget
H|t|Neues Werk: Rheinmetall produziert Munition für die Bundeswehr|In Unterlüß wurde eine Fabrik eröffnet, die jährlich 200.000 Artilleriegranaten für die Bundeswehr fertigen soll. Zur Eröffnung kamen der Kanzler und der Verteidigungsminister. Das Werk soll rund 500 Arbeitsplätze schaffen.|Domestic production
H|t|Gemeinde stellt neues Wappen vor|Das Wappen zeigt einen silbernen Fisch auf blauem Grund.|Coat of arms
H|t|Torwart fällt mit Armbruch monatelang aus|Der Keeper verletzte sich im Training am linken Unterarm. Der Verein will in der Winterpause einen Ersatz verpflichten. Die Operation verlief nach Angaben der Ärzte gut.|Arm injury
H|t|Verhandlungen über Atomwaffenkontrolle gescheitert|Die Gespräche über einen Nachfolger des New-START-Vertrags sind ohne Ergebnis geblieben.|Arms control talks
N|t|Bahn streicht Verbindungen wegen Bauarbeiten|Reisende müssen auf der Strecke Hamburg–Berlin mit Umwegen rechnen.|Railway
N|t|Inflation sinkt auf 2,2 Prozent|Vor allem die Energiepreise gingen zurück.|Inflation
N|t|Sturmtief bringt Orkanböen an die Küste|Der Deutsche Wetterdienst warnt vor umstürzenden Bäumen. Mehrere Fähren zu den Nordseeinseln fielen aus. In Hamburg wurde der Fischmarkt überflutet.|Storm
N|t|Oktoberfest zählt sechs Millionen Besucher|Die Wirte zeigen sich zufrieden.|Festival
N|t|Landtag beschließt neues Schulgesetz|Ab kommendem Jahr gibt es mehr Ganztagsangebote.|Education
N|t|Autoindustrie kündigt Stellenabbau an|Der Zulieferer will 3.000 Stellen streichen.|Jobs
P|e|Berlin sagt Kiew weitere Patriot-Raketen zu|Die Raketen stammen aus Beständen der Bundeswehr.|Patriot donation
P|e|Türkei darf Eurofighter kaufen|-|Export approval to Turkey
P|e|Waffenlieferungen an Sudan: Experten schlagen Alarm|UN-Ermittler dokumentieren neue Lieferungen an die RSF.|Sudan embargo
P|e|Norwegen bestellt U-Boote bei Thyssenkrupp|Der Vertrag umfasst zwei weitere Boote der Klasse 212CD.|Submarine export
H|e|Schalke meldet Transfer eines Talents|Der 19-Jährige wechselt in die Niederlande.|Football transfer
H|e|Alarmanlage schlägt nachts an|Die Polizei fand keinen Einbrecher.|Alarm word
H|e|Schüsse vor Diskothek: Polizei sucht Täter|Ein Mann wurde leicht verletzt.|Shooting
N|e|Zoo freut sich über Eisbärnachwuchs|Das Jungtier ist wohlauf.|Zoo
H|t|Deutschland importiert mehr Flüssiggas aus den USA|Die Lieferungen über die Terminals in Wilhelmshaven und Brunsbüttel haben sich verdoppelt.|LNG imports
H|t|Hilfsgüter für Erdbebenopfer auf dem Weg|Ein Flugzeug der Luftwaffe bringt Zelte, Decken und Medikamente in die Türkei.|Aid shipment
H|t|Exporte nach China brechen ein|Vor allem Maschinenbauer und Autohersteller verkaufen weniger ins Reich der Mitte.|Trade exports
P|t|Bundesregierung stoppt Genehmigungen für Kriegswaffen an die Türkei|Nach dem Einmarsch in Nordsyrien werden keine neuen Ausfuhren genehmigt, die dort eingesetzt werden könnten.|Export freeze
H|t|Selenskyj wirbt in Berlin um Unterstützung für EU-Beitritt|Der ukrainische Präsident traf den Bundespräsidenten und sprach vor Abgeordneten über Reformen.|Diplomacy
H|t|Ukrainische Flüchtlinge: Mehr Sprachkurse gefordert|Die Kommunen verlangen vom Bund mehr Geld für die Integration.|Refugees
P|t|Dänemark schenkt der Ukraine seine gesamte Artillerie|Kopenhagen gibt alle 19 Caesar-Haubitzen an Kiew ab, wie die Regierung mitteilte.|Danish artillery donation
P|t|Rüstungsexporte nach Israel: Regierung genehmigt Munition|Der Bundessicherheitsrat hat neue Lieferungen von Panzermunition genehmigt.|Arms export approval
"""
